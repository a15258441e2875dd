package dev.chatbatch.migration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * In {@code serve} only: every {@code chatbatch.capture.interval} (default 2s) makes sure each capturing
 * migration has a follower applying its slot as changes commit ({@link CaptureApplier#followAll}), so a slot is
 * consumed while nobody runs a migration command (the CLI's one-shot commands apply it themselves where it matters).
 */
@Component
@ConditionalOnWebApplication
class CaptureSchedule implements SmartLifecycle {

    private final CaptureApplier applier;
    private final Duration interval;
    private volatile ScheduledExecutorService executor;

    CaptureSchedule(CaptureApplier applier, @Value("${chatbatch.capture.interval:2s}") Duration interval) {
        this.applier = applier;
        this.interval = interval;
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chatbatch-capture");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(200, interval.toMillis());
        executor.scheduleWithFixedDelay(applier::followAll, 0, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        ScheduledExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
            executor = null;
        }
        applier.stopAll();
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
