package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
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
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The cloud's dashboard in a real browser (Debian's Chromium, headless), as an operator uses it with real agents:
 * sign in with the admin token; Devices → Add Device gives a code, shown once with its env file; an agent process
 * started with exactly that env file provisions and shows up online in the Devices list without a reload; revoking
 * it in the dashboard makes the agent report {@code credentials_rejected} and the list show it revoked. Pre-provisioned
 * credentials made in Add Device bring a second agent online, and Rotate key on its page gives it a new key (the
 * previous one refused, the agent online again with the new one's expiry). A device
 * reporting {@code <script>} as its host name shows that text and runs nothing; a change without the CSRF token is
 * refused; signed-out pages go to sign-in. Screenshots go to {@code target/itest/dashboard-screenshots} (docs/images/
 * holds copies).
 */
public class DashboardBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCRIPT_HOST = "<script>alert(1)</script>";

    private static Path dir;
    private static Path shots;
    private static ReferenceCloud cloud;
    private static String base;
    private final List<Process> agents = new ArrayList<>();
    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeClass
    public static void startCloud() throws Exception {
        assertTrue("Chromium is missing: apt-get install chromium chromium-driver (.ci/run installs them)",
                Files.isExecutable(CHROMIUM));
        assertTrue("chromedriver is missing: apt-get install chromium-driver (.ci/run installs it)",
                Files.isExecutable(CHROMEDRIVER));
        dir = EdgeFlowRuntime.newTestDirectory("dashboard").toAbsolutePath();
        shots = EdgeFlowRuntime.newTestDirectory("dashboard-screenshots").toAbsolutePath();
        cloud = ReferenceCloud.start(dir.resolve("cloud"), 0);
        base = "https://" + cloud.url();
    }

    @AfterClass
    public static void stopCloud() throws Exception {
        if (cloud != null) {
            cloud.close();
        }
    }

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
    }

    @Test
    public void addDeviceGivesACodeOnceAnAgentWithItsEnvFileComesOnlineAndRevokingItRejectsItsKey() throws Exception {
        openBrowser();
        signIn();

        // Devices → Add Device: a code and the env file, shown once
        browser.findElement(By.id("add-device")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ttl"))).clear();
        browser.findElement(By.id("ttl")).sendKeys("1h");
        browser.findElement(By.id("label")).sendKeys("line 3");
        screenshot("dashboard-add-device-form.png");
        browser.findElement(By.id("generate")).click();
        String code = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("code"))).getText();
        assertTrue(code, code.matches("PROV-[0-9A-Z]{4}-[0-9A-Z]{4}"));
        String envFile = browser.findElement(By.id("env-file")).getText();
        assertEquals("# /etc/edgeflow/.env\nEDGEFLOW_SAAS_ENABLED=true\nEDGEFLOW_SAAS_URL=" + cloud.url()
                + "\nEDGEFLOW_PROVISIONING_CODE=" + code + "\nEDGEFLOW_SAAS_CA_FILE=" + cloud.caFile().toAbsolutePath(),
                envFile.strip());
        screenshot("dashboard-add-device.png");
        // once: the Codes page (and every other page) shows it masked
        browser.get(base + "/dashboard/codes");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("table")));
        assertFalse("the code is shown again", browser.getPageSource().contains(code));
        assertTrue(browser.getPageSource().contains("PROV-****-" + code.substring(10)));
        screenshot("dashboard-codes.png");

        // the Devices list is open, and stays open (no reload) while an agent is started with that very env file
        browser.get(base + "/dashboard/devices");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("device-table")));
        // a mark in this page's JavaScript state: a reload (or a navigation) would drop it
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");
        Path agentDir = dir.resolve("agent-code");
        Files.createDirectories(agentDir);
        Path env = agentDir.resolve(".env");
        Files.writeString(env, envFile + "\n");
        int port = EdgeFlowRuntime.freePort();
        Process agent = startAgent(agentDir, env, port);
        String status = "http://127.0.0.1:" + port + "/api/v1/saas/status";
        JsonNode online = awaitAgent(status, agent, s -> "online".equals(s.path("status").asText()));
        String deviceId = online.get("device_id").asText();
        WebElement row = new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions
                .presenceOfElementLocated(By.cssSelector("tr[data-device='" + deviceId + "'] [data-tunnel='online']")));
        assertEquals("the page was not reloaded", Boolean.TRUE, ((JavascriptExecutor) browser)
                .executeScript("return window.notReloaded === true;"));
        assertEquals("active", browser.findElement(By.cssSelector("tr[data-device='" + deviceId + "'] [data-status]"))
                .getText());
        assertTrue(row.isDisplayed());
        screenshot("dashboard-devices.png");

        // the device's page: its facts as registered, and live through its tunnel
        browser.findElement(By.linkText(deviceId)).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("live-facts")));
        // its bundles, as its local API lists them through the tunnel
        assertTrue(browser.findElement(By.id("live-bundles")).getText().contains("io.edgeflow.tunnel"));
        assertEquals(deviceId, browser.findElement(By.id("device-id")).getText());
        screenshot("dashboard-device.png");

        // a phone-sized window reads the same list
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(base + "/dashboard/devices");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-device='" + deviceId + "']")));
        screenshot("dashboard-devices-phone.png");
        browser.manage().window().setSize(new Dimension(1280, 900));

        // revoke it from its page: the agent's key stops working, and the list shows it revoked
        browser.get(base + "/dashboard/devices/" + deviceId);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("revoke"))).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBe(By.id("device-status"), "revoked"));
        awaitAgent(status, agent, s -> "credentials_rejected".equals(s.path("error").path("code").asText()));
        browser.get(base + "/dashboard/devices");
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-device='" + deviceId + "'] [data-status]"),
                "revoked"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-device='" + deviceId
                + "'] [data-tunnel='offline']")));

        // signing out ends the session: the pages go to sign-in again
        browser.findElement(By.cssSelector("form.sign-out button")).click();
        wait.until(ExpectedConditions.urlContains("/dashboard/sign-in"));
        browser.get(base + "/dashboard/devices");
        wait.until(ExpectedConditions.urlContains("/dashboard/sign-in"));
    }

    @Test
    public void preProvisionedCredentialsFromTheDashboardBringAnAgentOnline() throws Exception {
        openBrowser();
        signIn();
        browser.get(base + "/dashboard/devices/new");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key_label"))).sendKeys("gateway 2");
        browser.findElement(By.id("create-credentials")).click();
        String deviceId = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("device-id"))).getText();
        String apiKey = browser.findElement(By.id("api-key")).getText();
        String envFile = browser.findElement(By.id("env-file")).getText();
        assertEquals("# /etc/edgeflow/.env\nEDGEFLOW_SAAS_ENABLED=true\nEDGEFLOW_SAAS_URL=" + cloud.url()
                + "\nEDGEFLOW_DEVICE_ID=" + deviceId + "\nEDGEFLOW_API_KEY=" + apiKey + "\nEDGEFLOW_SAAS_CA_FILE="
                + cloud.caFile().toAbsolutePath(), envFile.strip());
        screenshot("dashboard-pre-provisioned.png");

        browser.get(base + "/dashboard/devices?q=" + deviceId);
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-device='" + deviceId + "'] [data-status]"),
                "pending"));
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");
        Path agentDir = dir.resolve("agent-credentials");
        Files.createDirectories(agentDir);
        Path env = agentDir.resolve(".env");
        Files.writeString(env, envFile + "\n");
        int port = EdgeFlowRuntime.freePort();
        Process agent = startAgent(agentDir, env, port);
        JsonNode online = awaitAgent("http://127.0.0.1:" + port + "/api/v1/saas/status", agent,
                s -> "online".equals(s.path("status").asText()));
        assertEquals(deviceId, online.get("device_id").asText());
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("tr[data-device='" + deviceId + "'] [data-tunnel='online']")));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-device='" + deviceId + "'] [data-status]"),
                "active"));
        assertEquals("the page was not reloaded", Boolean.TRUE, ((JavascriptExecutor) browser)
                .executeScript("return window.notReloaded === true;"));
        assertFalse("the key is shown again", browser.getPageSource().contains(apiKey));

        // Rotate key on its page: the agent gets a new key through its tunnel and stays online with it
        browser.get(base + "/dashboard/devices/" + deviceId);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("rotate-key"))).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        String result = new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions
                .visibilityOfElementLocated(By.id("rotation-result"))).getText();
        assertTrue(result, result.startsWith("Key rotated"));
        screenshot("dashboard-rotate-key.png");
        String status = "http://127.0.0.1:" + port + "/api/v1/saas/status";
        Http.awaitTrue("the previous key refused", Duration.ofSeconds(30), () -> cloud.checkKey(deviceId, apiKey) == 401);
        String newExpiry = cloud.device(deviceId).path("key_expires_at").asText();
        JsonNode rotated = awaitAgent(status, agent, s -> "online".equals(s.path("status").asText())
                && newExpiry.equals(s.path("credentials_expire_at").asText()));
        assertEquals(deviceId, rotated.get("device_id").asText());
        assertFalse("a key on the page", browser.getPageSource().contains("efk_" + apiKey.substring(4, 12)));
    }

    @Test
    public void aScriptAsHostNameIsShownAsTextAndAChangeWithoutTheCsrfTokenIsRefused() throws Exception {
        String body = "{\"provisioning_code\": \"" + cloud.createCode(600) + "\", \"request_id\": \""
                + UUID.randomUUID() + "\", \"network\": {\"hostname\": " + JSON.writeValueAsString(SCRIPT_HOST)
                + "}, \"hardware\": {\"board_model\": \"<img src=x onerror=alert(2)>\"}}";
        ReferenceCloud.Answer registered = cloud.call("POST", "/api/v1/devices/register", null, body);
        assertEquals(registered.toString(), 201, registered.status());
        String deviceId = registered.body().get("device_id").asText();

        openBrowser();
        signIn();
        browser.get(base + "/dashboard/devices?q=" + deviceId);
        WebElement host = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr[data-device='"
                + deviceId + "'] .hostname")));
        assertEquals(SCRIPT_HOST, host.getText());
        assertNoAlert();
        browser.get(base + "/dashboard/devices/" + deviceId);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("device-title")));
        assertEquals(SCRIPT_HOST, browser.findElement(By.id("device-title")).getText());
        assertTrue(browser.findElement(By.id("hardware")).getText().contains("<img src=x onerror=alert(2)>"));
        assertNoAlert();
        screenshot("dashboard-escaped-host-name.png");

        // the browser's own session, without the CSRF token: refused, nothing created
        Cookie session = browser.manage().getCookieNamed("__Host-edgeflow-session");
        assertTrue("the session cookie is HttpOnly", session.isHttpOnly());
        assertTrue("the session cookie is Secure", session.isSecure());
        assertEquals("Strict", session.getSameSite());
        int codes = cloud.admin("GET", "provisioning-codes?limit=1000", null).body().get("provisioning_codes").size();
        HttpClient http = HttpClient.newBuilder().sslContext(ReferenceCloud.trusting(cloud.caFile())).build();
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/dashboard/devices/new"))
                .header("Cookie", session.getName() + "=" + session.getValue())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("ttl=1h&label=forged")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(refused.body(), 403, refused.statusCode());
        assertEquals(codes, cloud.admin("GET", "provisioning-codes?limit=1000", null).body().get("provisioning_codes")
                .size());
    }

    private void assertNoAlert() {
        try {
            browser.switchTo().alert();
            throw new AssertionError("a device-supplied script ran: an alert is open");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    private void openBrowser() throws IOException {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        // the reference cloud's certificate comes from its own local CA, which this browser profile does not know
        options.setAcceptInsecureCerts(true);
        // Selenium Manager cannot download anything here: the driver is Debian's
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    /** Signed out, a dashboard page leads to sign-in; the admin token signs in and leads to Devices. */
    private void signIn() throws IOException {
        browser.get(base + "/dashboard/devices");
        wait.until(ExpectedConditions.urlContains("/dashboard/sign-in"));
        WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        screenshot("dashboard-sign-in.png");
        token.sendKeys(Files.readString(cloud.dataDir().resolve("admin-token"), StandardCharsets.UTF_8).strip());
        browser.findElement(By.id("sign-in")).click();
        try {
            wait.until(ExpectedConditions.urlContains("/dashboard/devices"));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("not signed in; cookies " + browser.manage().getCookies() + "; the page:\n"
                    + browser.getPageSource(), e);
        }
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("device-table")));
    }

    private Process startAgent(Path agentDir, Path envFile, int port) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", EdgeFlowRuntime.launcherJar().toString()).directory(agentDir.toFile()).redirectErrorStream(true)
                .redirectOutput(agentDir.resolve("agent.log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("EDGEFLOW_") || k.equalsIgnoreCase("https_proxy")
                || k.equalsIgnoreCase("no_proxy"));
        builder.environment().put("EDGEFLOW_ENV_FILE", envFile.toString());
        builder.environment().put("EDGEFLOW_DATA_DIR", agentDir.resolve("data").toString());
        builder.environment().put("EDGEFLOW_HTTP_PORT", Integer.toString(port));
        Process process = builder.start();
        agents.add(process);
        return process;
    }

    private static JsonNode awaitAgent(String statusUrl, Process agent,
            java.util.function.Predicate<JsonNode> condition) throws Exception {
        JsonNode[] seen = new JsonNode[1];
        Http.awaitTrue("the agent's status", Duration.ofSeconds(60), () -> {
            if (!agent.isAlive()) {
                throw new AssertionError("the agent exited");
            }
            HttpResponse<String> r = Http.get(statusUrl);
            if (r.statusCode() != 200) {
                return false;
            }
            seen[0] = JSON.readTree(r.body());
            return condition.test(seen[0]);
        });
        return seen[0];
    }

    private void screenshot(String name) throws IOException {
        Files.write(shots.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
