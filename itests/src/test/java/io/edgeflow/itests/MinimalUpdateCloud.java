package io.edgeflow.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The few endpoints of the cloud a remote update needs, over HTTPS on loopback (an ephemeral port), one request per
 * connection: the device's confirmation of pre-provisioned credentials, {@code GET
 * /api/v1/devices/{id}/artifacts/{sha256}} (with {@code Range: bytes=N-}) and {@code POST
 * /api/v1/devices/{id}/deployments/{dep}/status}, each checking the device's API key. Everything else is 404 (the
 * tunnel stays offline). Its certificate is a self-signed one made with the JDK's keytool, which is also the CA the
 * agent trusts.
 */
public final class MinimalUpdateCloud implements UpdateCloud {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ARTIFACT = Pattern.compile("/api/v1/devices/([^/]+)/artifacts/([0-9a-f]{64})");
    private static final Pattern STATUS = Pattern.compile("/api/v1/devices/([^/]+)/deployments/([^/]+)/status");
    private static final Pattern CONFIRM = Pattern.compile("/api/v1/devices/([^/]+)/confirm");

    private final Path caFile;
    private final SSLServerSocket server;
    private final Thread acceptor;
    private final String deviceId = "dev_qag0ppqf7b6nhyfs09mf";
    private final String apiKey = "efk_g2dq3f8n0ravz5ff21md4cpvsmsw3q1p5d2btdndb5zya7583nxz";
    private final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
    private final Map<String, List<Map<String, Object>>> reports = new ConcurrentHashMap<>();

    private MinimalUpdateCloud(Path caFile, SSLServerSocket server) {
        this.caFile = caFile;
        this.server = server;
        this.acceptor = new Thread(this::serve, "minimal-update-cloud");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * @param dir where to keep its key store and CA file
     * @return a running server
     */
    public static MinimalUpdateCloud start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path store = dir.resolve("server.p12");
        Path ca = dir.resolve("ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore",
                store.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-file", ca.toString());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        return new MinimalUpdateCloud(ca, socket);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }

    @Override
    public String url() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    @Override
    public Path caFile() {
        return caFile;
    }

    @Override
    public String deviceId() {
        return deviceId;
    }

    @Override
    public String apiKey() {
        return apiKey;
    }

    @Override
    public String publish(byte[] jar) {
        String sha256 = sha256(jar);
        artifacts.put(sha256, jar);
        return sha256;
    }

    @Override
    public List<String> reports(String deploymentId) {
        List<String> states = new ArrayList<>();
        reports.getOrDefault(deploymentId, List.of()).forEach(r -> states.add(String.valueOf(r.get("state"))));
        return states;
    }

    @Override
    public Map<String, Object> lastReport(String deploymentId) {
        List<Map<String, Object>> list = reports.getOrDefault(deploymentId, List.of());
        return list.isEmpty() ? null : list.get(list.size() - 1);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> handle(socket), "minimal-update-cloud-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            socket.setSoTimeout(30_000);
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).strip());
                }
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            answer(requestLine[0], requestLine[1], headers, body, out);
        } catch (IOException | RuntimeException e) {
            // the device went away: nothing to answer
        }
    }

    private void answer(String method, String path, Map<String, String> headers, byte[] body, OutputStream out)
            throws IOException {
        boolean authorized = ("Bearer " + apiKey).equals(headers.get("authorization"));
        Matcher m;
        if (method.equals("POST") && (m = CONFIRM.matcher(path)).matches() && m.group(1).equals(deviceId)
                && authorized) {
            write(out, 200, "application/json", ("{\"device_id\":\"" + deviceId + "\",\"status\":\"active\","
                    + "\"expires_at\":null}").getBytes(StandardCharsets.UTF_8), null);
        } else if (method.equals("GET") && (m = ARTIFACT.matcher(path)).matches() && m.group(1).equals(deviceId)
                && authorized && artifacts.containsKey(m.group(2))) {
            byte[] jar = artifacts.get(m.group(2));
            String range = headers.get("range");
            int from = 0;
            if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
                from = Integer.parseInt(range.substring(6, range.length() - 1));
            }
            byte[] part = java.util.Arrays.copyOfRange(jar, Math.min(from, jar.length), jar.length);
            write(out, from > 0 ? 206 : 200, "application/java-archive", part, from > 0 ? "Content-Range: bytes "
                    + from + "-" + (jar.length - 1) + "/" + jar.length : null);
        } else if (method.equals("POST") && (m = STATUS.matcher(path)).matches() && m.group(1).equals(deviceId)
                && authorized) {
            @SuppressWarnings("unchecked")
            Map<String, Object> report = JSON.readValue(body, Map.class);
            reports.computeIfAbsent(m.group(2), k -> new CopyOnWriteArrayList<>()).add(report);
            write(out, 204, null, new byte[0], null);
        } else if (!authorized && (path.startsWith("/api/v1/devices/"))) {
            write(out, 401, "application/json", "{\"error\":\"unauthorized\",\"message\":\"no key\"}"
                    .getBytes(StandardCharsets.UTF_8), null);
        } else {
            write(out, 404, "application/json", "{\"error\":\"not_found\",\"message\":\"not here\"}"
                    .getBytes(StandardCharsets.UTF_8), null);
        }
    }

    private static void write(OutputStream out, int status, String type, byte[] body, String extraHeader)
            throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\nConnection: close\r\n");
        if (type != null) {
            head.append("Content-Type: ").append(type).append("\r\n");
        }
        if (extraHeader != null) {
            head.append(extraHeader).append("\r\n");
        }
        if (status != 204) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        for (int b; (b = in.read()) >= 0;) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            if (head.size() > 64 * 1024) {
                return null;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
