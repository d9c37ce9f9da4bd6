package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The optional Web Console of the executable agent, as an operator uses it: off without a console password (and
 * saying so in the log), and with one, the Config Manager in a real browser (Debian's Chromium, headless) shows
 * EdgeFlow's PIDs with their metatype forms, never a secret's value, and a form edit reaches the running tunnel:
 * its heartbeats, answered by the reference cloud, follow the new interval. Screenshots of the pages go to
 * {@code target/itest/console-screenshots} (docs/images/ holds copies).
 */
public class WebConsoleLauncherIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String USER = "operator";
    private static final String PASSWORD = "console-Pw-7f3a9c";
    private static final String API_TOKEN = "api-token-d41c58e0b2";

    private final List<Process> agents = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private WebDriver browser;

    @After
    public void stopWhatWeStarted() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        for (Process p : agents) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private Process start(Path dir, Path envFile, int port, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", EdgeFlowRuntime.launcherJar().toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("EDGEFLOW_") || k.equalsIgnoreCase("https_proxy")
                || k.equalsIgnoreCase("no_proxy"));
        builder.environment().put("EDGEFLOW_ENV_FILE", envFile.toString());
        builder.environment().put("EDGEFLOW_DATA_DIR", dir.resolve("data").toString());
        builder.environment().put("EDGEFLOW_HTTP_PORT", Integer.toString(port));
        Process process = builder.start();
        agents.add(process);
        return process;
    }

    private static void awaitLog(Process agent, Path log, String line) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (Files.readString(log).contains(line)) {
                return;
            }
            if (!agent.isAlive()) {
                throw new AssertionError("the agent exited:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + line + "' within 60 s:\n" + Files.readString(log));
    }

    @Test
    public void withoutAPasswordTheConsoleDoesNotServeAndTheLogSaysWhy() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("console-off").toAbsolutePath();
        Path envFile = dir.resolve(".env");
        Files.writeString(envFile, "EDGEFLOW_CONSOLE_USER=" + USER + "\n"); // a user alone is not enough
        int port = EdgeFlowRuntime.freePort();
        Path log = dir.resolve("agent.log");
        Process agent = start(dir, envFile, port, log);
        awaitLog(agent, log, "EdgeFlow agent ready");

        for (String path : List.of("/system/console", "/system/console/configMgr", "/system/console/bundles")) {
            HttpResponse<String> plain = Http.get("http://127.0.0.1:" + port + path);
            assertEquals(path, 404, plain.statusCode());
            // not even the Web Console's built-in default login
            HttpResponse<String> builtIn = Http.sendWithHeader("GET", "http://127.0.0.1:" + port + path, null, null,
                    "Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                            "admin:admin".getBytes(StandardCharsets.UTF_8)));
            assertEquals(path, 404, builtIn.statusCode());
        }
        String text = Files.readString(log);
        assertTrue(text, text.contains("Web Console off: no console password. Set EDGEFLOW_CONSOLE_PASSWORD"));
        assertFalse("the console's bundles did not start:\n" + text, text.contains("Web Console on"));
    }

    @Test
    public void theConfigManagerEditsTheRunningTunnelAndNeverShowsASecret() throws Exception {
        assertTrue("Chromium is missing: apt-get install chromium chromium-driver (.ci/run installs them)",
                Files.isExecutable(CHROMIUM));
        assertTrue("chromedriver is missing: apt-get install chromium-driver (.ci/run installs it)",
                Files.isExecutable(CHROMEDRIVER));
        Path dir = EdgeFlowRuntime.newTestDirectory("console-on").toAbsolutePath();
        Path shots = EdgeFlowRuntime.newTestDirectory("console-screenshots").toAbsolutePath();
        // a cloud that keeps a silent tunnel for 4 hours: a heartbeat interval of an hour is not shortened
        ReferenceCloud cloud = ReferenceCloud.start(dir.resolve("cloud"), 0, "--tunnel-idle-timeout", "14400s");
        toClose.add(cloud);
        JsonNode issued = cloud.register(cloud.createCode(3600));
        String deviceId = issued.get("device_id").asText();
        String apiKey = issued.get("api_key").asText();
        Path envFile = dir.resolve(".env");
        Files.writeString(envFile, "EDGEFLOW_SAAS_ENABLED=true\n"
                + "EDGEFLOW_SAAS_URL=" + cloud.url() + "\n"
                + "EDGEFLOW_SAAS_CA_FILE=" + cloud.caFile() + "\n"
                + "EDGEFLOW_DEVICE_ID=" + deviceId + "\n"
                + "EDGEFLOW_API_KEY=" + apiKey + "\n"
                + "EDGEFLOW_API_TOKEN=" + API_TOKEN + "\n"
                + "EDGEFLOW_TUNNEL_HEARTBEAT_SECONDS=3600\n"
                + "EDGEFLOW_CONSOLE_USER=" + USER + "\n"
                + "EDGEFLOW_CONSOLE_PASSWORD=" + PASSWORD + "\n");
        int port = EdgeFlowRuntime.freePort();
        Path log = dir.resolve("agent.log");
        Process agent = start(dir, envFile, port, log);
        String status = "http://127.0.0.1:" + port + "/api/v1/saas/status";
        awaitLog(agent, log, "EdgeFlow agent ready");
        Http.awaitStatus(status, "online", s -> s.get("status").asText().equals("online"), Duration.ofSeconds(60));
        awaitLog(agent, log, "Web Console on");

        // the console asks for the operator's login, and takes neither no login nor its built-in admin/admin
        HttpResponse<String> anonymous = Http.get("http://127.0.0.1:" + port + "/system/console/configMgr");
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.body(), anonymous.body().contains("\"error\": \"unauthorized\""));
        HttpResponse<String> builtIn = Http.sendWithHeader("GET", "http://127.0.0.1:" + port
                + "/system/console/configMgr", null, null, "Authorization", "Basic " + java.util.Base64.getEncoder()
                        .encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8)));
        assertEquals(401, builtIn.statusCode());

        browser = chromium(dir.resolve("chromium-profile"));
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        String console = "http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/system/console";

        // the Config Manager lists our PIDs with their metatype names
        browser.get(console + "/configMgr");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "EdgeFlow tunnel"));
        String list = browser.getPageSource();
        for (String name : List.of("EdgeFlow tunnel", "EdgeFlow local API", "EdgeFlow Web Console login")) {
            assertTrue(name + " is listed", list.contains(name));
        }
        screenshot(shots, "console-config-manager.png");

        // a secret's form: a password field, its value never in the page
        browser.get(console + "/configMgr/io.edgeflow.localapi");
        WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.name(".api_token")));
        assertEquals("password", token.getAttribute("type"));
        assertFalse("the API token is in the page", browser.getPageSource().contains(API_TOKEN));
        screenshot(shots, "console-secret-masked.png");
        browser.get(console + "/configMgr/io.edgeflow.console");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.name(".password")));
        assertFalse("the console password is in the page", browser.getPageSource().contains(PASSWORD));
        browser.get(console + "/configMgr/io.edgeflow.saas");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("url")));
        assertFalse("the API key is in the page", browser.getPageSource().contains(apiKey));
        // the configuration status (what a support dump holds) lists the PIDs, not the secrets' values
        HttpResponse<String> dump = Http.sendWithHeader("GET", "http://127.0.0.1:" + port
                + "/system/console/status-Configurations.txt", null, null, "Authorization", "Basic " + java.util
                        .Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        assertEquals(200, dump.statusCode());
        assertTrue(dump.body(), dump.body().contains("io.edgeflow.localapi"));
        for (String secret : List.of(API_TOKEN, PASSWORD, apiKey)) {
            assertFalse("a secret is in the configuration status", dump.body().contains(secret));
        }

        // before the edit: one heartbeat an hour, so last_heartbeat cannot take three values within the wait below
        // edit the tunnel's heartbeat through its form
        browser.get(console + "/configMgr/io.edgeflow.tunnel");
        WebElement heartbeat = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.name("heartbeat_interval_seconds")));
        assertEquals("3600", heartbeat.getAttribute("value"));
        heartbeat.clear();
        heartbeat.sendKeys("1");
        screenshot(shots, "console-tunnel-form.png");
        Instant saved = Instant.now();
        WebElement save = browser.findElement(By.xpath(
                "//div[contains(@class,'ui-dialog')]//button[normalize-space()='Save']"));
        save.click();
        wait.until(ExpectedConditions.invisibilityOf(heartbeat));

        // the running tunnel took it: heartbeats every second, each answered by the reference cloud
        Set<String> answered = new LinkedHashSet<>();
        Http.awaitStatus(status, "three heartbeats answered after the edit", s -> {
            JsonNode last = s.get("last_heartbeat");
            if (s.get("status").asText().equals("online") && last != null && last.isTextual()
                    && Instant.parse(last.asText()).isAfter(saved)) {
                answered.add(last.asText());
            }
            return answered.size() >= 3;
        }, Duration.ofSeconds(60));

        // and Config Admin holds the new value, as the form shows it again
        browser.get(console + "/configMgr/io.edgeflow.tunnel");
        WebElement again = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.name("heartbeat_interval_seconds")));
        assertEquals("1", again.getAttribute("value"));

        // nowhere in the agent's log, nor in clear under its data directory: the console password, the token
        String text = Files.readString(log);
        for (String secret : List.of(PASSWORD, API_TOKEN, apiKey)) {
            assertFalse("a secret is in the log", text.contains(secret));
            byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
            try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertFalse("a secret is in " + file, ProvisioningIT.contains(Files.readAllBytes(file), needle));
                }
            }
        }
    }

    private static WebDriver chromium(Path profile) throws IOException {
        Files.createDirectories(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        // Selenium Manager cannot download anything here: the driver is Debian's
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private void screenshot(Path dir, String name) throws IOException {
        Files.write(dir.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
