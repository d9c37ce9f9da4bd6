package io.edgeflow.cloud.dashboard;

import java.nio.file.Path;
import java.util.regex.Pattern;

import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;

/**
 * The device's {@code /etc/edgeflow/.env}, as the product documentation writes it, for this cloud: its address (as
 * the operator's browser reached it) and, when the cloud serves a certificate of its own local CA, the line that
 * makes the agent trust that CA.
 */
final class EnvFile {
    /** A host name, an IPv4 address or a bracketed IPv6 one, with an optional port: nothing else goes in the file. */
    private static final Pattern ADDRESS = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?");

    private EnvFile() {
    }

    /**
     * @param request the operator's request
     * @return {@code host:port} of this cloud as the browser reached it (the documentation's {@code EDGEFLOW_SAAS_URL}
     *         form), or the address the request arrived on if its Host header is not a plain address
     */
    static String cloudAddress(Request request) {
        HttpURI uri = request.getHttpURI();
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : 443;
        String authority = host == null ? "" : (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + ":" + port;
        if (ADDRESS.matcher(authority).matches()) {
            return authority;
        }
        String local = Request.getLocalAddr(request);
        return (local.contains(":") ? "[" + local + "]" : local) + ":" + Request.getLocalPort(request);
    }

    /**
     * @param cloud this cloud's {@code host:port}
     * @param code the provisioning code
     * @param caFile the local CA file, or null when the cloud serves the operator's certificate
     * @return the env file's text
     */
    static String forCode(String cloud, String code, Path caFile) {
        return "# /etc/edgeflow/.env\n"
                + "EDGEFLOW_SAAS_ENABLED=true\n"
                + "EDGEFLOW_SAAS_URL=" + cloud + "\n"
                + "EDGEFLOW_PROVISIONING_CODE=" + code + "\n"
                + caLine(caFile);
    }

    /** @return the CA line (with its newline), or "" */
    static String caLine(Path caFile) {
        return caFile == null ? "" : "EDGEFLOW_SAAS_CA_FILE=" + caFile.toAbsolutePath() + "\n";
    }
}
