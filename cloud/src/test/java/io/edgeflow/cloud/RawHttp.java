package io.edgeflow.cloud;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 request written byte for byte over TLS, whatever it holds (methods, paths and headers no
 * HTTP client would send), and the whole answer read until the server closes the connection.
 */
final class RawHttp {
    private RawHttp() {
    }

    /** An answer as it came off the wire; {@code status} is -1 if the server closed without one. */
    record Reply(int status, Map<String, String> headers, String body, String head) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return head + "\n\n" + body;
        }
    }

    /**
     * Sends {@code method path}, the given header lines, {@code Connection: close} and the body (with its
     * Content-Length unless a header line already frames it).
     */
    static Reply send(SSLContext tls, int port, String method, String path, String headerLines, byte[] body)
            throws IOException {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port).append("\r\n");
        if (headerLines != null && !headerLines.isEmpty()) {
            head.append(headerLines);
            if (!headerLines.endsWith("\r\n")) {
                head.append("\r\n");
            }
        }
        String lower = headerLines == null ? "" : headerLines.toLowerCase(Locale.ROOT);
        if (body != null && !lower.contains("content-length:") && !lower.contains("transfer-encoding:")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            request.writeBytes(body);
        }
        return exchange(tls, port, request.toByteArray());
    }

    /** Writes exactly these bytes and reads the answer. */
    static Reply exchange(SSLContext tls, int port, byte[] request) throws IOException {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before it read everything we meant to send
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new IOException("no end of the answer within 20 s: " + answer.toString(StandardCharsets.UTF_8), e);
            } catch (IOException e) {
                // a reset after the answer: what arrived counts
            }
            return parse(answer.toString(StandardCharsets.UTF_8));
        }
    }

    private static Reply parse(String answer) {
        String text = answer;
        // an interim answer (100 Continue to an Expect) comes before the real one
        while (text.startsWith("HTTP/1.1 1") && text.indexOf("\r\n\r\n") > 0) {
            text = text.substring(text.indexOf("\r\n\r\n") + 4);
        }
        int split = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || split < 0) {
            return new Reply(-1, Map.of(), text, text);
        }
        String head = text.substring(0, split);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        String body = text.substring(split + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        } else if (headers.containsKey("content-length")) {
            // what follows is the answer to another request in the same bytes (pipelined): not this one's
            int length = Integer.parseInt(headers.get("content-length"));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            body = new String(bytes, 0, Math.min(length, bytes.length), StandardCharsets.UTF_8);
        }
        return new Reply(status, headers, body, head);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", at);
            if (eol < 0) {
                return out.toString();
            }
            int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            // sizes count bytes; the JSON we read is ASCII-escaped or UTF-8 that fits: good enough for a test
            int start = eol + 2;
            int end = Math.min(chunked.length(), start + size);
            out.append(chunked, start, end);
            at = end + 2;
        }
    }
}
