package io.edgeflow.itests;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Stands between the agent and the reference cloud, as a network that loses answers: a TLS endpoint with
 * the cloud's own certificate (its {@code server.pem} and key, so the agent's trust is unchanged), which
 * forwards each request to the cloud and relays the answer, except that it swallows the cloud's answer to
 * the first {@code n} registrations: the cloud has registered the device, the device hears nothing (the
 * connection closes).
 */
public final class AnswerDropper implements AutoCloseable {
    private final ServerSocket server;
    private final HttpClient upstream;
    private final int cloudPort;
    private final AtomicInteger toDrop;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Each request seen, {@code POST /path -> status} or {@code ... -> dropped}. */
    public final List<String> seen = new CopyOnWriteArrayList<>();

    public AnswerDropper(ReferenceCloud cloud, int registrationsToDrop) throws Exception {
        this.cloudPort = cloud.port();
        this.toDrop = new AtomicInteger(registrationsToDrop);
        this.upstream = HttpClient.newBuilder().sslContext(ReferenceCloud.trusting(cloud.caFile()))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        SSLContext tls = SSLContext.getInstance("TLS");
        KeyManagerFactory keys = KeyManagerFactory.getInstance("PKIX");
        keys.init(keyStore(cloud.dataDir()), new char[0]);
        tls.init(keys.getKeyManagers(), null, null);
        this.server = tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** @return the address to give the agent instead of the cloud's */
    public String url() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private static KeyStore keyStore(Path cloudData) throws Exception {
        List<byte[]> chainDer = pem(Files.readString(cloudData.resolve("server.pem")));
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Certificate[] chain = new Certificate[chainDer.size()];
        for (int i = 0; i < chain.length; i++) {
            chain[i] = factory.generateCertificate(new ByteArrayInputStream(chainDer.get(i)));
        }
        byte[] keyDer = pem(Files.readString(cloudData.resolve("server-key.pem"))).get(0);
        PrivateKey key = KeyFactory.getInstance(chain[0].getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(keyDer));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("cloud", key, new char[0], chain);
        return store;
    }

    private static List<byte[]> pem(String text) {
        List<byte[]> blocks = new java.util.ArrayList<>();
        for (String part : text.split("-----BEGIN [A-Z ]+-----")) {
            int end = part.indexOf("-----END");
            if (end > 0) {
                blocks.add(Base64.getMimeDecoder().decode(part.substring(0, end)));
            }
        }
        return blocks;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** HTTP/1.1 with keep-alive, enough for the agent's JSON requests (Content-Length bodies). */
    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = new BufferedOutputStream(client.getOutputStream());
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String[] requestLine = lines[0].split(" ");
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + cloudPort
                        + requestLine[1])).timeout(Duration.ofSeconds(20));
                int length = 0;
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    String name = lines[i].substring(0, colon).strip();
                    String value = lines[i].substring(colon + 1).strip();
                    switch (name.toLowerCase(Locale.ROOT)) {
                        case "content-length" -> length = Integer.parseInt(value);
                        case "content-type", "authorization", "accept" -> request.header(name, value);
                        default -> {
                        }
                    }
                }
                byte[] body = in.readNBytes(length);
                request.method(requestLine[0], body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
                HttpResponse<byte[]> answer = upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                String what = requestLine[0] + " " + requestLine[1];
                if (requestLine[1].equals("/api/v1/devices/register") && toDrop.getAndDecrement() > 0) {
                    seen.add(what + " -> " + answer.statusCode() + " dropped");
                    return; // the cloud answered; the device never hears it
                }
                seen.add(what + " -> " + answer.statusCode());
                StringBuilder response = new StringBuilder("HTTP/1.1 " + answer.statusCode() + " X\r\n");
                answer.headers().firstValue("Content-Type").ifPresent(v -> response.append("Content-Type: ")
                        .append(v).append("\r\n"));
                answer.headers().firstValue("Date").ifPresent(v -> response.append("Date: ").append(v).append("\r\n"));
                answer.headers().firstValue("Retry-After").ifPresent(v -> response.append("Retry-After: ").append(v)
                        .append("\r\n"));
                response.append("Content-Length: ").append(answer.body().length).append("\r\n\r\n");
                out.write(response.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(answer.body());
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the agent went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
