import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * How fast the dashboard's Devices page paints, measured in the browser (Debian's Chromium, headless, through
 * Selenium): the Navigation Timing and Paint Timing entries of each load, and the time htmx's poll of the table takes
 * (a fetch of /dashboard/devices/table timed in the page).
 *
 *   java -cp SELENIUM_CLASSPATH bench/dashboard/DashboardPaintBench.java --url https://127.0.0.1:PORT \
 *        --token-file DATA/admin-token --label "10,000 devices" [--loads 15] [--search bench-device]
 *
 * Prints one RESULT line per page: label, page, loads, medians and maxima in ms of time to first byte
 * (responseStart - requestStart), first contentful paint, DOMContentLoaded, and the rows on the page.
 */
public class DashboardPaintBench {
    public static void main(String[] argv) throws Exception {
        String url = null;
        Path tokenFile = null;
        String label = "";
        String search = "bench-device";
        int loads = 15;
        for (int i = 0; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--url" -> url = argv[i + 1];
                case "--token-file" -> tokenFile = Path.of(argv[i + 1]);
                case "--label" -> label = argv[i + 1];
                case "--loads" -> loads = Integer.parseInt(argv[i + 1]);
                case "--search" -> search = argv[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        if (url == null || tokenFile == null) {
            throw new IllegalArgumentException("--url and --token-file are required");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        Path profile = Files.createTempDirectory("dashboard-bench-chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        options.setAcceptInsecureCerts(true);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(
                Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            browser.get(url + "/dashboard/sign-in");
            browser.findElement(By.id("token")).sendKeys(Files.readString(tokenFile).strip());
            browser.findElement(By.id("sign-in")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("device-table")));
            measure(browser, url, label, "/dashboard/devices", loads);
            measure(browser, url, label, "/dashboard/devices?page=" + lastPage(browser), loads);
            measure(browser, url, label, "/dashboard/devices?q=" + search, loads);
            measure(browser, url, label, "/dashboard/devices?status=revoked", loads);
            poll(browser, url, label, loads);
        } finally {
            browser.quit();
        }
    }

    /** @return the number of the last page, read from the page's own count ("1–50 of 10000") */
    private static int lastPage(ChromeDriver browser) {
        String count = browser.findElement(By.id("device-count")).getText();
        long total = Long.parseLong(count.substring(count.lastIndexOf(' ') + 1));
        return (int) Math.max(1, (total + 49) / 50);
    }

    private static void measure(ChromeDriver browser, String url, String label, String page, int loads)
            throws InterruptedException {
        List<Double> ttfb = new ArrayList<>();
        List<Double> fcp = new ArrayList<>();
        List<Double> dcl = new ArrayList<>();
        long rows = 0;
        for (int i = 0; i < loads + 2; i++) {
            browser.get(url + page);
            List<?> t = null;
            for (int tries = 0; tries < 100; tries++) { // the paint entry is queued just after the paint
                t = (List<?>) ((JavascriptExecutor) browser).executeScript(
                        "const n = performance.getEntriesByType('navigation')[0];"
                                + "const p = performance.getEntriesByName('first-contentful-paint')[0];"
                                + "return [n.responseStart - n.requestStart, p ? p.startTime : -1,"
                                + " n.domContentLoadedEventEnd, document.querySelectorAll('#device-table tbody tr').length];");
                if (((Number) t.get(1)).doubleValue() >= 0) {
                    break;
                }
                Thread.sleep(20);
            }
            if (i < 2) {
                continue; // warm-up: the JIT, the browser's cache of the style sheet and scripts
            }
            ttfb.add(((Number) t.get(0)).doubleValue());
            fcp.add(((Number) t.get(1)).doubleValue());
            dcl.add(((Number) t.get(2)).doubleValue());
            rows = ((Number) t.get(3)).longValue();
        }
        System.out.printf(Locale.ROOT, "RESULT label=%s page=%s loads=%d ttfb_p50=%.1f ttfb_max=%.1f fcp_p50=%.1f "
                + "fcp_max=%.1f dcl_p50=%.1f dcl_max=%.1f rows=%d%n", label.replace(' ', '_'), page, loads,
                median(ttfb), max(ttfb), median(fcp), max(fcp), median(dcl), max(dcl), rows);
    }

    /** What each htmx poll costs: the table fragment fetched and timed in the page. */
    private static void poll(ChromeDriver browser, String url, String label, int loads) {
        browser.get(url + "/dashboard/devices");
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < loads + 2; i++) {
            Object t = ((JavascriptExecutor) browser).executeAsyncScript(
                    "const done = arguments[arguments.length - 1]; const t0 = performance.now();"
                            + "fetch('/dashboard/devices/table', {headers: {'HX-Request': 'true'}})"
                            + ".then(r => r.text()).then(() => done(performance.now() - t0));");
            if (i >= 2) {
                times.add(((Number) t).doubleValue());
            }
        }
        System.out.printf(Locale.ROOT, "RESULT label=%s page=poll loads=%d ttfb_p50=%.1f ttfb_max=%.1f fcp_p50=-1 "
                + "fcp_max=-1 dcl_p50=-1 dcl_max=-1 rows=50%n", label.replace(' ', '_'), loads, median(times),
                max(times));
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(-1);
    }
}
