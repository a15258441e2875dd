package dev.chatbatch.metrics;

import dev.chatbatch.maintenance.IntegrityCheckResult;
import dev.chatbatch.maintenance.IntegrityResults;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code chatbatch_integrity_violations{check}} and {@code chatbatch_integrity_checked_timestamp_seconds{check}}:
 * the newest integrity-check result per check, as the integrity-check job persisted it.
 */
@Component
@ConditionalOnWebApplication
class IntegrityMetrics implements MeterBinder, RefreshingMetrics {

    private final IntegrityResults results;
    private volatile LiveGauge violations;
    private volatile LiveGauge checked;

    IntegrityMetrics(IntegrityResults results) {
        this.results = results;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        violations = new LiveGauge(registry, "chatbatch.integrity.violations",
                "Violations found by the newest integrity-check run, per check (0 = healthy)");
        checked = new LiveGauge(registry, "chatbatch.integrity.checked.timestamp.seconds",
                "Unix time of the newest integrity-check result, per check");
    }

    @Override
    public void refresh() {
        if (violations == null) {
            return;
        }
        Map<Tags, Double> found = new HashMap<>();
        Map<Tags, Double> at = new HashMap<>();
        for (IntegrityCheckResult r : results.latest()) {
            Tags tags = Tags.of("check", r.check());
            found.put(tags, (double) r.violations());
            at.put(tags, r.checkedAt().toEpochMilli() / 1000.0);
        }
        violations.update(found);
        checked.update(at);
    }
}
