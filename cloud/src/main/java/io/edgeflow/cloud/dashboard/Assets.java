package io.edgeflow.cloud.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.eclipse.jetty.http.HttpHeader;

import io.edgeflow.cloud.provisioning.CloudError;

/**
 * The dashboard's own files, read once at start: its style sheet and script, htmx from its webjar (served by the
 * cloud itself: no CDN), and the local CA certificate that devices trust.
 * <p>
 * Threading: immutable after construction.
 */
final class Assets {
    private static final String WEBJAR = "META-INF/maven/org.webjars.npm/htmx.org/pom.properties";

    private record Asset(String contentType, byte[] bytes) {
    }

    private final Map<String, Asset> byName;
    private final Path caFile;

    Assets(Path caFile) {
        this.caFile = caFile;
        String htmx = "META-INF/resources/webjars/htmx.org/" + htmxVersion() + "/dist/htmx.min.js";
        this.byName = Map.of(
                "dashboard.css", new Asset("text/css; charset=utf-8", read("io/edgeflow/cloud/dashboard/dashboard.css")),
                "dashboard.js", new Asset("text/javascript; charset=utf-8",
                        read("io/edgeflow/cloud/dashboard/dashboard.js")),
                "htmx.min.js", new Asset("text/javascript; charset=utf-8", read(htmx)));
    }

    private static String htmxVersion() {
        Properties p = new Properties();
        try (InputStream in = open(WEBJAR)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = Assets.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("the dashboard's " + resource + " is not in the cloud's jar");
        }
        return in;
    }

    private static byte[] read(String resource) {
        try (InputStream in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET /dashboard/assets/{name}}: {@code ca.pem} is read when asked for (a renewed CA is served). */
    void serve(Exchange x) throws CloudError {
        String name = x.param("name");
        if ("ca.pem".equals(name) && caFile != null) {
            try {
                x.response.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"ca.pem\"");
                x.send(200, "application/x-pem-file", Files.readAllBytes(caFile));
            } catch (IOException e) {
                throw new CloudError(500, "internal_error", "The CA file could not be read: " + e.getMessage());
            }
            return;
        }
        Asset asset = byName.get(name);
        if (asset == null) {
            throw new CloudError(404, "not_found", "There is no such file in the dashboard.");
        }
        x.response.setStatus(200);
        Exchange.SECURITY_HEADERS.forEach((h, v) -> x.response.getHeaders().put(h, v));
        x.response.getHeaders().put(HttpHeader.CONTENT_TYPE, asset.contentType());
        x.response.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, max-age=300");
        x.response.getHeaders().put(HttpHeader.CONTENT_LENGTH, asset.bytes().length);
        boolean head = "HEAD".equals(x.request.getMethod());
        x.response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(asset.bytes()), x.callback);
    }
}
