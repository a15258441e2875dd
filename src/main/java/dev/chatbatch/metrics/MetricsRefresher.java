package dev.chatbatch.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Re-reads every {@link RefreshingMetrics} every {@code chatbatch.metrics.refresh-interval} (default 5s)
 * on one daemon thread, and once synchronously at start so the first scrape already has data. A failed
 * refresh keeps the previous values and is logged once per failure streak, not on every tick.
 */
@Component
@ConditionalOnWebApplication
class MetricsRefresher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MetricsRefresher.class);

    private final List<RefreshingMetrics> sources;
    private final Duration interval;
    private volatile ScheduledExecutorService executor;
    private final boolean[] failing;

    MetricsRefresher(List<RefreshingMetrics> sources,
                     @Value("${chatbatch.metrics.refresh-interval:5s}") Duration interval) {
        this.sources = sources;
        this.interval = interval;
        this.failing = new boolean[sources.size()];
    }

    @Override
    public void start() {
        refreshAll();
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chatbatch-metrics");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(200, interval.toMillis());
        executor.scheduleWithFixedDelay(this::refreshAll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Refreshes every source now; public to the package so tests need not wait for a tick. */
    synchronized void refreshAll() {
        for (int i = 0; i < sources.size(); i++) {
            RefreshingMetrics source = sources.get(i);
            try {
                source.refresh();
                if (failing[i]) {
                    log.info("metrics of {} readable again", source.getClass().getSimpleName());
                }
                failing[i] = false;
            } catch (RuntimeException e) {
                if (!failing[i]) {
                    log.warn("cannot refresh metrics of {} (keeping the previous values): {}",
                            source.getClass().getSimpleName(), e.getMessage());
                }
                failing[i] = true;
            }
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
            executor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
