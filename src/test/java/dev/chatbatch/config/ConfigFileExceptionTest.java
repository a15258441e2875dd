package dev.chatbatch.config;

import dev.chatbatch.ExitCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one "file: field: reason" refusal of both YAML loaders. */
class ConfigFileExceptionTest {

    @Test
    void namesFileFieldAndReasonWithExitTwo() {
        ConfigFileException e = new ConfigFile("jobs/x.yml").at("chunk.size", "'0' is out of range");
        assertThat(e).hasMessage("jobs/x.yml: chunk.size: '0' is out of range");
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.file()).isEqualTo("jobs/x.yml");
        assertThat(e.field()).isEqualTo("chunk.size");
        assertThat(e.reason()).isEqualTo("'0' is out of range");
    }

    @Test
    void aFileRefusedAsAWholeHasNoField() {
        ConfigFileException e = new ConfigFileException("jobs/x.yml", null, "not valid YAML: …");
        assertThat(e).hasMessage("jobs/x.yml: not valid YAML: …");
        assertThat(e.field()).isNull();
    }
}
