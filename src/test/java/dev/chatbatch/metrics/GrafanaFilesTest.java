package dev.chatbatch.metrics;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** grafana/: the alert rules pass promtool's checks and unit tests, the dashboard is well-formed. */
class GrafanaFilesTest {

    @Test
    void alertRulesPassPromtoolCheckAndUnitTests() throws Exception {
        Path promtool = ExternalTools.require("promtool");
        Path grafana = ExternalTools.grafanaDir();
        var check = ExternalTools.run(grafana, promtool.toString(), "check", "rules", "alerts.yml");
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 6 rules found");
        var test = ExternalTools.run(grafana, promtool.toString(), "test", "rules", "alerts.test.yml");
        assertThat(test.exitCode()).as(test.output()).isZero();
    }

    @Test
    void scrapeConfigIsValid() throws Exception {
        Path promtool = ExternalTools.require("promtool");
        Path dir = Files.createTempDirectory("chatbatch-promcfg");
        Path token = dir.resolve("token");
        Files.writeString(token, "x");
        Files.copy(ExternalTools.grafanaDir().resolve("alerts.yml"), dir.resolve("alerts.yml"));
        Files.writeString(dir.resolve("prometheus.yml"), Files.readString(ExternalTools.grafanaDir().resolve("prometheus.yml"))
                .replace("/etc/prometheus/chatbatch-viewer.token", token.toString()));
        var check = ExternalTools.run(dir, promtool.toString(), "check", "config", "prometheus.yml");
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void dashboardHasTheSchemaFieldsAndEveryPanelADatasourceAndAQuery() throws Exception {
        JsonNode dashboard = JsonMapper.builder().build()
                .readTree(Files.readString(ExternalTools.grafanaDir().resolve("dashboards/chatbatch.json")));
        assertThat(dashboard.get("uid").asString()).isEqualTo("chatbatch");
        assertThat(dashboard.get("title").asString()).isNotBlank();
        assertThat(dashboard.get("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        assertThat(dashboard.has("time") && dashboard.has("templating") && dashboard.has("panels")).isTrue();
        Set<Integer> ids = new HashSet<>();
        int queried = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("unique panel id %s", panel.get("id")).isTrue();
            assertThat(panel.get("gridPos").has("w")).isTrue();
            if ("row".equals(panel.get("type").asString())) {
                continue;
            }
            String title = panel.get("title").asString();
            assertThat(panel.get("datasource").get("uid").asString()).as(title).isEqualTo("chatbatch-prometheus");
            assertThat(panel.get("targets")).as(title).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.get("expr").asString()).as(title).isNotBlank();
                assertThat(target.get("refId").asString()).as(title).isNotBlank();
            }
            queried++;
        }
        assertThat(queried).isGreaterThanOrEqualTo(15);
        String provisioned = Files.readString(ExternalTools.grafanaDir().resolve("provisioning/datasources/prometheus.yml"));
        assertThat(provisioned).contains("uid: chatbatch-prometheus");
    }
}
