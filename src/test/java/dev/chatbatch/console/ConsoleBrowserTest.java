package dev.chatbatch.console;

import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.schema.Seeder;
import dev.chatbatch.testsupport.OpsTestSupport;
import dev.chatbatch.testsupport.OpsTestSupport.Http;
import dev.chatbatch.testsupport.TestDatabase;
import dev.chatbatch.testsupport.TestJobs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static dev.chatbatch.testsupport.OpsTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser (headless Chromium through Selenium) against a real server on the
 * embedded PostgreSQL: a viewer watches a backfill's progress move and cannot act (no buttons; a POST from
 * its session is refused, and a forged cross-site form is refused for an operator too); an operator
 * launches jobs, stops and restarts one, sees the API's message next to a bad parameter, and steps the
 * migration through verify and cutover, answering the confirmation. Screenshots of every page land in
 * {@code target/console-screenshots/}. One browser and one server for the class.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestJobs.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    static final TestDatabase.Db DB = OpsTestSupport.database();
    static final String MIGRATION = "chat-messages-v2";
    static final Path SHOTS = Path.of("target", "console-screenshots");
    /** Small chunks on one partition: the backfill of the seeded rows lasts long enough to be watched. */
    static final String SLOW_SPEC = slowSpec();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        OpsTestSupport.properties(DB).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("chatbatch.jobs-dir", () -> SLOW_SPEC);
    }

    static WebDriver browser;

    @LocalServerPort
    int port;
    @Autowired
    Seeder seeder;
    @Autowired
    JobRunner jobs;

    @BeforeAll
    static void startBrowser() throws IOException {
        Path chromium = Path.of("/usr/bin/chromium");
        Path driver = Path.of("/usr/bin/chromedriver");
        assertThat(Files.isExecutable(chromium) && Files.isExecutable(driver))
                .as("the console test needs headless Chromium: install the Debian packages chromium and chromium-driver"
                        + " (apt-get install chromium chromium-driver; .ci/run does)").isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    @Order(1)
    void aViewerWatchesTheBackfillMoveAndCannotAct() throws Exception {
        seeder.seed(new Seeder.Request(15_000, 0, Seeder.Request.defaultConversations(15_000)), line -> { });
        Http http = new Http(base());
        assertThat(http.post("/api/migrations/" + MIGRATION + "/start", null, bearer(OPERATOR_TOKEN)).status()).isEqualTo(200);

        login(VIEWER_TOKEN);
        open("/migrations");
        assertThat(text(By.cssSelector("#who"))).contains("viewer");
        assertThat(browser.findElements(By.cssSelector("button[data-post]"))).as("a viewer gets no action buttons").isEmpty();

        assertThat(http.post("/api/migrations/" + MIGRATION + "/backfill", null, bearer(OPERATOR_TOKEN)).status()).isEqualTo(202);
        // on a quiet machine the copy ends within one refresh: pause it as soon as the first chunk is in, so the
        // page has a part-way value to show, then resume it and follow it to the end
        long firstChunk = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (rowsCopied(http) == 0 && System.nanoTime() < firstChunk) {
            Thread.sleep(5);
        }
        assertThat(http.post("/api/migrations/" + MIGRATION + "/pause", null, bearer(OPERATOR_TOKEN)).status()).isEqualTo(200);
        Set<String> seen = new LinkedHashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean resumed = false;
        String phase;
        do {
            Thread.sleep(250);
            phase = text(By.cssSelector(".phase-name"));
            String copied = text(By.cssSelector(".copied"));
            if (!copied.startsWith("0 /") && seen.add(copied) && seen.size() == 1) {
                shot("migrations-backfilling");
            }
            if (!resumed && !seen.isEmpty()) {
                assertThat(http.post("/api/migrations/" + MIGRATION + "/resume", null, bearer(OPERATOR_TOKEN)).status()).isEqualTo(200);
                resumed = true;
            }
        } while (!phase.equals("BACKFILLED") && System.nanoTime() < deadline);
        assertThat(phase).as("the page followed the backfill to its end without a reload").isEqualTo("BACKFILLED");
        assertThat(seen).as("progress values the page showed during the backfill").hasSizeGreaterThanOrEqualTo(2);
        assertThat(text(By.cssSelector(".copied"))).startsWith("15000 / 15000");
        assertThat(text(By.cssSelector(".capture"))).as("how v1's changes reach v2").startsWith("trigger");

        // the viewer's own session, with the page's CSRF token: the API still refuses a viewer
        Object answer = ((JavascriptExecutor) browser).executeAsyncScript("""
                var done = arguments[arguments.length - 1];
                var h = {}; h[document.querySelector('meta[name=csrf-header]').content] =
                    document.querySelector('meta[name=csrf-token]').content;
                fetch('/api/migrations/%s/pause', {method: 'POST', headers: h, credentials: 'same-origin'})
                  .then(function (r) { return r.text().then(function (t) { done(r.status + ' ' + t); }); });
                """.formatted(MIGRATION));
        assertThat(String.valueOf(answer)).startsWith("403").contains("viewers may only read");
        assertThat(browser.getPageSource()).doesNotContain(VIEWER_TOKEN, OPERATOR_TOKEN, OPERATOR_PASSWORD);
        logout();
    }

    /** Rows the backfill has copied so far, as the API reports them. */
    private static long rowsCopied(Http http) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"rowsCopied\"\\s*:\\s*(\\d+)")
                .matcher(http.get("/api/migrations/" + MIGRATION, bearer(OPERATOR_TOKEN)).body());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    @Order(2)
    void anOperatorLaunchesWatchesStopsAndRestarts() throws Exception {
        login(OPERATOR_USER, OPERATOR_PASSWORD);
        open("/jobs");
        assertThat(text(By.cssSelector("#who"))).contains("olga", "operator");
        shot("jobs");

        WebElement quick = form("test-quick");
        quick.findElement(By.name("_extra")).sendKeys("note=from the console");
        quick.findElement(By.cssSelector("button[data-mode=launch]")).click();
        waitFor(ExpectedConditions.urlMatches("/executions/\\d+$"));
        waitFor(ExpectedConditions.textToBe(By.id("execution-status"), "COMPLETED"));
        assertThat(text(By.cssSelector(".facts"))).contains("note=from the console");
        assertThat(text(By.id("execution-rows"))).isEqualTo("3");
        shot("execution-completed");

        // a bad parameter: the API's message next to the field, nothing launched
        open("/jobs");
        WebElement archive = form("archive-conversations");
        archive.findElement(By.name("chunk-size")).sendKeys("0");
        archive.findElement(By.cssSelector("button[data-mode=launch]")).click();
        WebElement error = archive.findElement(By.cssSelector("[data-error-for='chunk-size']"));
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !error.getText().isBlank());
        assertThat(error.getText()).contains("from 1 to 100000");
        assertThat(browser.getCurrentUrl()).endsWith("/jobs");
        shot("jobs-bad-parameter");

        // a long one: stop, then restart from the execution page
        open("/jobs");
        WebElement slow = form("test-slow");
        slow.findElement(By.name("_extra")).sendKeys("iterations=3000\nsleep-ms=20");
        slow.findElement(By.cssSelector("button[data-mode=launch]")).click();
        waitFor(ExpectedConditions.urlMatches("/executions/\\d+$"));
        long first = idFromUrl();
        waitFor(ExpectedConditions.elementToBeClickable(By.id("stop")));
        shot("execution-running");
        click(By.id("stop"));
        waitFor(ExpectedConditions.textToBe(By.id("execution-status"), "STOPPED"));
        awaitIdle("test-slow");
        click(By.id("restart"));
        waitFor(d -> idFromUrl() != first);
        long second = idFromUrl();
        waitFor(ExpectedConditions.textToBe(By.id("execution-status"), "STARTED"));
        jobs.stop(second);
        waitFor(ExpectedConditions.textToBe(By.id("execution-status"), "STOPPED"));

        open("/executions?job=test-slow");
        List<WebElement> rows = browser.findElements(By.cssSelector("tr[data-execution]"));
        assertThat(rows).extracting(r -> r.getAttribute("data-execution"))
                .startsWith(String.valueOf(second), String.valueOf(first));
        open("/executions?status=COMPLETED");
        assertThat(browser.findElements(By.cssSelector("td.status"))).isNotEmpty()
                .allSatisfy(td -> assertThat(td.getText()).isEqualTo("COMPLETED"));
        shot("executions-filtered");
        assertThat(browser.getPageSource()).doesNotContain(VIEWER_TOKEN, OPERATOR_TOKEN, OPERATOR_PASSWORD);
    }

    @Test
    @Order(3)
    void anOperatorStepsTheMigrationThroughVerifyAndCutover() {
        open("/migrations");
        waitFor(ExpectedConditions.textToBe(By.cssSelector(".phase-name"), "BACKFILLED"));
        click(By.cssSelector("button[data-action=verify]"));
        phaseBecomes("VERIFIED");
        assertThat(text(By.cssSelector(".verify summary"))).contains("verified: 15000 source rows");

        click(By.cssSelector("button[data-action=cutover]"));
        Alert question = waitFor(ExpectedConditions.alertIsPresent());
        assertThat(question.getText()).contains("Cut over " + MIGRATION);
        question.dismiss();
        assertThat(text(By.cssSelector(".phase-name"))).as("dismissed: nothing sent").isEqualTo("VERIFIED");
        click(By.cssSelector("button[data-action=cutover]"));
        waitFor(ExpectedConditions.alertIsPresent()).accept();
        phaseBecomes("CUT_OVER");
        // read through waitFor: the live refresh may replace the element between finding and reading it
        String history = waitFor(d -> d.findElement(By.cssSelector(".history")).getAttribute("textContent"));
        assertThat(history).contains("VERIFIED", "CUT_OVER", "api:olga");
        shot("migrations-cut-over");
        browser.manage().window().setSize(new Dimension(390, 844));
        shot("migrations-phone-width");
        browser.manage().window().setSize(new Dimension(1280, 1000));
    }

    @Test
    @Order(4)
    void aForgedCrossSitePostIsRefused() {
        open("/migrations");
        assertThat(browser.findElements(By.cssSelector("button[data-action=complete]"))).hasSize(1);
        // another site (127.0.0.1 is not the same site as localhost) posts a form to the operator's console
        browser.get("http://127.0.0.1:" + port + "/login");
        ((JavascriptExecutor) browser).executeScript("""
                var f = document.createElement('form');
                f.method = 'POST'; f.action = arguments[0];
                document.body.appendChild(f); f.submit();
                """, base() + "/api/migrations/" + MIGRATION + "/complete");
        waitFor(d -> d.getPageSource().contains("\"status\""));
        assertThat(browser.getPageSource()).containsAnyOf("\"status\":401", "\"status\":403");
        // and the same-site page without the CSRF token
        open("/migrations");
        Object answer = ((JavascriptExecutor) browser).executeAsyncScript("""
                var done = arguments[arguments.length - 1];
                fetch('/api/migrations/%s/complete', {method: 'POST', credentials: 'same-origin'})
                  .then(function (r) { done(r.status); });
                """.formatted(MIGRATION));
        assertThat(String.valueOf(answer)).isEqualTo("403");
        String phase = new JdbcTemplate(DB.dataSource()).queryForObject(
                "select phase from chatbatch.migration_state where name = ?", String.class, MIGRATION);
        assertThat(phase).isEqualTo("CUT_OVER");
    }

    /**
     * Not an assertion: how long the pages take to load in the browser (Navigation Timing, load event) with
     * the few executions the tests made, then with 10,000 more in the job repository, printed side by side.
     */
    @Test
    @Order(5)
    void swaggerUiShowsTheGeneratedDocumentToALoggedInUser() {
        open("/swagger-ui.html");
        waitFor(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".swagger-ui .info .title"),
                "chatbatch operator API"));
        waitFor(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".opblock-summary-path[data-path='/api/jobs/{job}/executions']")));
        shot("swagger-ui");
    }

    @Test
    @Order(6)
    void pageLoadTimesWith10000Executions() {
        List<String> pages = List.of("/executions", "/executions?status=FAILED", "/jobs", "/migrations");
        java.util.Map<String, Double> before = new java.util.LinkedHashMap<>();
        pages.forEach(p -> before.put(p, loadMillis(p)));
        new JdbcTemplate(DB.dataSource()).execute("""
                WITH jobs AS (SELECT array['test-quick', 'vacuum-analyze', 'archive-conversations', 'session-retention',
                                           'usage-rollup'] AS names),
                     i AS (INSERT INTO chatbatch.batch_job_instance (job_instance_id, version, job_name, job_key)
                           SELECT nextval('chatbatch.batch_job_instance_seq'), 0, names[1 + g % 5], md5('bench' || g)
                             FROM generate_series(1, 10000) g, jobs
                           RETURNING job_instance_id),
                     e AS (INSERT INTO chatbatch.batch_job_execution (job_execution_id, version, job_instance_id, create_time,
                                start_time, end_time, status, exit_code, exit_message, last_updated)
                           SELECT nextval('chatbatch.batch_job_execution_seq'), 2, job_instance_id, now(), now(), now(),
                                  CASE WHEN job_instance_id % 10 = 0 THEN 'FAILED' ELSE 'COMPLETED' END,
                                  CASE WHEN job_instance_id % 10 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, '', now()
                             FROM i
                           RETURNING job_execution_id)
                INSERT INTO chatbatch.batch_step_execution (step_execution_id, version, step_name, job_execution_id,
                       create_time, start_time, end_time, status, commit_count, read_count, filter_count, write_count,
                       read_skip_count, write_skip_count, process_skip_count, rollback_count, exit_code, exit_message,
                       last_updated)
                SELECT nextval('chatbatch.batch_step_execution_seq'), 3, 'step', job_execution_id, now(), now(), now(),
                       'COMPLETED', 1, 10, 0, 10, 0, 0, 0, 0, 'COMPLETED', '', now()
                  FROM e
                """);
        StringBuilder out = new StringBuilder("console page load (ms, load event; median of 3), before -> with 10,000"
                + " more executions:");
        for (String p : pages) {
            double after = loadMillis(p);
            out.append(String.format("%n  %-28s %7.0f -> %7.0f  (x%.1f)", p, before.get(p), after, after / before.get(p)));
        }
        System.out.println(out);
        shot("executions-10000");
    }

    /** The median of three loads of a page, in milliseconds from navigation start to the load event. */
    private double loadMillis(String path) {
        double[] ms = new double[3];
        for (int i = 0; i < ms.length; i++) {
            open(path);
            ms[i] = waitFor(d -> {
                double v = ((Number) ((JavascriptExecutor) d).executeScript(
                        "var n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd > 0 ? n.loadEventEnd - n.startTime : 0;"))
                        .doubleValue();
                return v > 0 ? v : null;
            });
        }
        java.util.Arrays.sort(ms);
        return ms[1];
    }

    // --- helpers

    private String base() {
        return "http://localhost:" + port;
    }

    private void open(String path) {
        browser.get(base() + path);
    }

    private void login(String token) {
        open("/login");
        shot("login");
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("token-submit")).click();
        waitFor(ExpectedConditions.urlContains("/migrations"));
    }

    private void login(String user, String password) {
        open("/login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("user-submit")).click();
        waitFor(ExpectedConditions.urlContains("/migrations"));
    }

    private void logout() {
        browser.findElement(By.cssSelector(".who button")).click();
        waitFor(ExpectedConditions.urlContains("/login"));
    }

    private WebElement form(String job) {
        return browser.findElement(By.cssSelector("form[data-launch='" + job + "']"));
    }

    /** Waits (verify and cutover take a while on a loaded machine) and says what the page reported if not. */
    private void phaseBecomes(String phase) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(90)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(ExpectedConditions.textToBe(By.cssSelector(".phase-name"), phase));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("phase did not become " + phase + "; the page says: " + text(By.id("flash")), e);
        }
    }

    /** Clicks what the live refresh may replace between finding and clicking it. */
    private void click(By by) {
        waitFor(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    private String text(By by) {
        for (int i = 0; ; i++) {
            try {
                return browser.findElement(by).getText();
            } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
                if (i == 20) {
                    throw e; // the live refresh replaced it 20 times in a row: something else is wrong
                }
            }
        }
    }

    private long idFromUrl() {
        String url = browser.getCurrentUrl();
        return Long.parseLong(url.substring(url.lastIndexOf('/') + 1));
    }

    private <T> T waitFor(java.util.function.Function<? super WebDriver, T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(30))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    private void awaitIdle(String job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (jobs.isRunning(job) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static void shot(String name) {
        File file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(file.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String slowSpec() {
        try {
            String spec = Files.readString(Path.of("jobs", MIGRATION + ".yml"));
            String slow = spec.replace("  size: 5000            # first chunk size of each partition\n  min_size: 500\n  max_size: 50000",
                    "  size: 200\n  min_size: 200\n  max_size: 200").replace("partitions: 0", "partitions: 1");
            assertThat(slow).as("jobs/%s.yml still has the chunk and partitions keys this test narrows", MIGRATION)
                    .isNotEqualTo(spec).contains("size: 200", "partitions: 1");
            Path dir = Files.createTempDirectory("chatbatch-console-jobs");
            Files.writeString(dir.resolve(MIGRATION + ".yml"), slow);
            Files.copy(Path.of("jobs", "maintenance.yml"), dir.resolve("maintenance.yml"));
            return dir.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
