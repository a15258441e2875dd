package dev.chatbatch.ops;

import dev.chatbatch.batch.JobRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;

/**
 * On shutdown of {@code serve} (SIGTERM closes the context), asks every execution running in this
 * process to stop and waits for them to end STOPPED (restartable with {@code restart <id>}), at most
 * {@code chatbatch.shutdown.stop-timeout} (default 20s), before the data source goes away. Its phase
 * is just below Quartz's, so the scheduler is in standby (no new fires) before jobs are stopped.
 */
@Component
@ConditionalOnWebApplication
class GracefulStop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GracefulStop.class);

    private final JobRunner jobs;
    private final Duration timeout;
    private volatile boolean running;

    GracefulStop(JobRunner jobs, @Value("${chatbatch.shutdown.stop-timeout:20s}") Duration timeout) {
        this.jobs = jobs;
        this.timeout = timeout;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        List<JobExecution> mine = jobs.runningHere();
        if (mine.isEmpty()) {
            return;
        }
        for (JobExecution execution : mine) {
            try {
                log.info("shutting down: {}", jobs.stop(execution.getId()));
            } catch (RuntimeException e) {
                log.warn("shutting down: cannot stop execution {}: {}", execution.getId(), e.getMessage());
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !jobs.runningHere().isEmpty()) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<JobExecution> left = jobs.runningHere();
        if (left.isEmpty()) {
            log.info("shutting down: every job of this process stopped; restart them with `chatbatch restart <id>`");
        } else {
            log.warn("shutting down: executions {} did not stop within {}", left.stream().map(JobExecution::getId).toList(), timeout);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }
}
