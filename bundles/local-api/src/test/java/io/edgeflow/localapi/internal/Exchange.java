package io.edgeflow.localapi.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.servlet.ReadListener;
import javax.servlet.ServletException;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * One request to a servlet in memory, and its answer: what the HTTP runtime hands a servlet after parsing,
 * with the values a caller chose (any method, URI, headers, declared length and body bytes).
 */
final class Exchange {
    private Exchange() {
    }

    /**
     * @param method the method as sent
     * @param uri the request URI (path), undecoded
     * @param query the query string, or null
     * @param headers header fields in order, names as sent
     * @param body the bytes the input stream yields
     * @param declaredLength the Content-Length the runtime reports, or -1
     * @param remote the caller's address
     * @param attributes request attributes (the runtime's error attributes for an error page)
     */
    record Request(String method, String uri, String query, List<Map.Entry<String, String>> headers, byte[] body,
            long declaredLength, String remote, Map<String, Object> attributes) {
        @Override
        public String toString() {
            return method + " " + abbreviate(uri) + (query == null ? "" : "?" + abbreviate(query)) + " headers="
                    + headers.stream().map(h -> abbreviate(h.getKey()) + ": " + abbreviate(h.getValue())).toList()
                    + " declared=" + declaredLength + " body(" + body.length + ")=" + abbreviate(new String(body,
                            java.nio.charset.StandardCharsets.ISO_8859_1)) + " from " + remote + " " + attributes;
        }

        private static String abbreviate(String s) {
            return s == null ? "null" : s.length() > 80 ? s.substring(0, 80) + "...(" + s.length() + ")" : s;
        }
    }

    /**
     * @param status the status set
     * @param headers the headers set (names in lower case)
     * @param contentType the content type set, or null
     * @param body the bytes written
     * @param sentError true if the servlet called sendError (the runtime would then answer in its own format)
     */
    record Answer(int status, Map<String, String> headers, String contentType, byte[] body, boolean sentError) {
    }

    static Answer run(HttpServlet servlet, Request r) throws IOException, ServletException {
        ByteArrayInputStream in = new ByteArrayInputStream(r.body());
        ServletInputStream stream = new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                // blocking reads only
            }
        };
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(Exchange.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                    case "getMethod" -> r.method();
                    case "getRequestURI" -> r.uri();
                    case "getQueryString" -> r.query();
                    case "getRemoteAddr" -> r.remote();
                    case "getHeader" -> first(r.headers(), (String) a[0]);
                    case "getHeaders" -> Collections.enumeration(all(r.headers(), (String) a[0]));
                    case "getHeaderNames" -> Collections.enumeration(r.headers().stream().map(Map.Entry::getKey)
                            .distinct().toList());
                    case "getContentType" -> first(r.headers(), "Content-Type");
                    case "getContentLengthLong" -> r.declaredLength();
                    case "getContentLength" -> (int) Math.max(-1, Math.min(Integer.MAX_VALUE, r.declaredLength()));
                    case "getInputStream" -> stream;
                    case "getAttribute" -> r.attributes().get((String) a[0]);
                    case "toString" -> r.toString();
                    default -> defaultValue(m);
                });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServletOutputStream output = new ServletOutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                // blocking writes only
            }
        };
        int[] status = {200};
        boolean[] sentError = {false};
        String[] contentType = {null};
        Map<String, String> headers = new LinkedHashMap<>();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(Exchange.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> {
                    switch (m.getName()) {
                        case "setStatus" -> status[0] = (Integer) a[0];
                        case "sendError" -> {
                            status[0] = (Integer) a[0];
                            sentError[0] = true;
                        }
                        case "setHeader", "addHeader" -> headers.put(((String) a[0]).toLowerCase(Locale.ROOT),
                                (String) a[1]);
                        case "setContentType" -> contentType[0] = (String) a[0];
                        case "getOutputStream" -> {
                            return output;
                        }
                        case "getHeader" -> {
                            return headers.get(((String) a[0]).toLowerCase(Locale.ROOT));
                        }
                        default -> {
                            return defaultValue(m);
                        }
                    }
                    return null;
                });
        servlet.service(request, response);
        return new Answer(status[0], headers, contentType[0], out.toByteArray(), sentError[0]);
    }

    private static String first(List<Map.Entry<String, String>> headers, String name) {
        List<String> values = all(headers, name);
        return values.isEmpty() ? null : values.get(0);
    }

    private static List<String> all(List<Map.Entry<String, String>> headers, String name) {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                values.add(h.getValue());
            }
        }
        return values;
    }

    private static Object defaultValue(Method m) {
        Class<?> type = m.getReturnType();
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }
}
