package dev.chatbatch.cli;

import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.db.Backoff;
import dev.chatbatch.db.DatabaseErrors;
import dev.chatbatch.db.DatabaseTarget;
import dev.chatbatch.schedule.Schedules;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import sun.misc.Signal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code serve}: the long-running mode. Boots the SERVE context (web server with the REST API and
 * actuator, Quartz scheduler in the cluster), installs the maintenance schedules, and waits for
 * SIGTERM or SIGINT. Then it stops firing, asks the jobs running here to stop (they end STOPPED at
 * their next chunk boundary and can be restarted), waits for them (at most 25 s) and exits 0. A database that is
 * unreachable or goes away while serve starts is waited for, as once it runs: a warning says what is awaited and
 * what to check, and the start is tried again ({@link Backoff}) until it answers or SIGTERM.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the schedules, REST API and metrics until SIGTERM; running jobs are stopped gracefully"
                + " (restartable) and the process exits 0.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);
    private static final long GRACE_MILLIS = 25_000;

    private final CliContext cli;

    ServeCommand(CliContext cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        // handling the signals ourselves (instead of the JVM's shutdown) lets serve stop the jobs first and exit 0
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        AppSession session = null;
        List<Schedules.Installed> installed = null;
        for (int failures = 1; installed == null; failures++) {
            try {
                session = cli.session(AppSession.Mode.SERVE, DatabaseTarget.EmbeddedMode.PERSISTENT);
                installed = session.bean(Schedules.class).install();
            } catch (RuntimeException e) {
                if (!DatabaseErrors.connectionLost(e)) {
                    throw e;
                }
                // as once it runs: serve outlives the database going away, and starts when it is back
                cli.close();
                Duration pause = Backoff.after(failures);
                log.warn("serve is waiting for the database: {} is unreachable or restarting ({}); trying again in {} s."
                        + " Check that it is running and reachable and that --spring.datasource.url names it (SIGTERM stops serve)",
                        cli.describeDatabase(), DatabaseErrors.message(e), pause.toSeconds());
                if (stop.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
                    cli.out().println("stopped before the database answered");
                    return 0;
                }
            }
        }
        Schedules schedules = session.bean(Schedules.class);
        installed.forEach(i -> cli.out().println("schedule " + describe(i)));
        int port = session.context() instanceof WebServerApplicationContext web && web.getWebServer() != null
                ? web.getWebServer().getPort() : -1;
        String address = session.context().getEnvironment().getProperty("server.address", "0.0.0.0");
        cli.out().println("serving on http://" + address + ":" + port + " (REST API /api, metrics /actuator/prometheus), database "
                + session.target().describe() + "; SIGTERM stops gracefully");
        cli.out().flush();
        stop.await();

        cli.out().println("stopping: no new fires, asking running jobs to stop");
        cli.out().flush();
        schedules.standby();
        JobRunner runner = session.bean(JobRunner.class);
        long deadline = System.currentTimeMillis() + GRACE_MILLIS;
        List<Long> stopped = runner.stopRunningHere();
        while (runner.anyRunningHere() && System.currentTimeMillis() < deadline) {
            stopped = union(stopped, runner.stopRunningHere());
            Thread.sleep(200);
        }
        stopped.forEach(id -> cli.out().println("execution " + id + " stopped; resume it with `chatbatch restart " + id + "`"));
        if (runner.anyRunningHere()) {
            cli.err().println("warning: a job did not reach a chunk boundary within " + GRACE_MILLIS / 1000
                    + " s; it is marked FAILED by the next launch and can be restarted");
        }
        cli.out().println("stopped");
        cli.out().flush();
        return 0;
    }

    private static String describe(Schedules.Installed s) {
        return s.job() + ": " + switch (s.outcome()) {
            case DISABLED -> "disabled";
            case BY_ANOTHER_INSTANCE -> "installed by another instance";
            case UNCHANGED, SCHEDULED -> s.cron() + " " + s.timeZone() + ", next " + (s.nextFireTime() == null ? "none" : s.nextFireTime());
        };
    }

    private static List<Long> union(List<Long> a, List<Long> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).distinct().toList();
    }
}
