package dev.chatbatch.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One gauge name with a changing set of label values, read from the newest snapshot. Existing series
 * are never re-registered (a re-registration would remove the series for an instant, and a scrape in
 * that instant would mark it stale in Prometheus); series whose labels vanish from the snapshot go away.
 */
final class LiveGauge {

    private final MultiGauge gauge;
    private volatile Map<Tags, Double> values = Map.of();

    LiveGauge(MeterRegistry registry, String name, String description) {
        this.gauge = MultiGauge.builder(name).description(description).register(registry);
    }

    void update(Map<Tags, Double> fresh) {
        values = Map.copyOf(fresh);
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Tags tags : fresh.keySet()) {
            rows.add(MultiGauge.Row.of(tags, this, g -> g.values.getOrDefault(tags, Double.NaN)));
        }
        gauge.register(rows, false);
    }
}
