package io.edgeflow.cloud.server;

import java.nio.file.Path;
import java.util.regex.Pattern;

import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;

/**
 * The env file a device needs to reach this cloud ({@code /etc/edgeflow/.env} of the product documentation):
 * {@code EDGEFLOW_SAAS_ENABLED}, {@code EDGEFLOW_SAAS_URL}, the device's credentials (a provisioning code, or a
 * Device ID and API key), and {@code EDGEFLOW_SAAS_CA_FILE} when the cloud serves a certificate of its own
 * local CA. The address is the one the administrator's request reached: what a browser or the CLI called is
 * what a device on the same network calls.
 * <p>
 * Threading: immutable.
 *
 * @param saasUrl the cloud's address as {@code EDGEFLOW_SAAS_URL} takes it ({@code host:port})
 * @param caFile the local CA the agent must trust, or null when the cloud serves the operator's certificate
 */
public record DeviceEnvFile(String saasUrl, Path caFile) {
    /** A host name, an IPv4 address or a bracketed IPv6 address: nothing that could break the file. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

    /**
     * @param request the administrator's request
     * @param caFile the local CA file, or null
     * @return the env file for devices of the cloud that request reached
     */
    public static DeviceEnvFile of(Request request, Path caFile) {
        HttpURI uri = request.getHttpURI();
        String host = uri.getHost();
        if (host != null && host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        int port = Request.getServerPort(request);
        if (host == null || !HOST.matcher(host).matches()) {
            host = "localhost";
        }
        return new DeviceEnvFile(host + ":" + (port > 0 ? port : 443), caFile);
    }

    /**
     * @param deviceId the Device ID
     * @param apiKey the API key; a secret: the text is shown once, never logged
     * @return the env file with pre-provisioned credentials
     */
    public String withCredentials(String deviceId, String apiKey) {
        return text("EDGEFLOW_DEVICE_ID=" + deviceId + "\nEDGEFLOW_API_KEY=" + apiKey + "\n");
    }

    /**
     * @param code the provisioning code; a secret: the text is shown once, never logged
     * @return the env file with a provisioning code
     */
    public String withCode(String code) {
        return text("EDGEFLOW_PROVISIONING_CODE=" + code + "\n");
    }

    private String text(String credentials) {
        return "# /etc/edgeflow/.env\n"
                + "EDGEFLOW_SAAS_ENABLED=true\n"
                + "EDGEFLOW_SAAS_URL=" + saasUrl + "\n"
                + credentials
                + (caFile == null ? "" : "EDGEFLOW_SAAS_CA_FILE=" + caFile.toAbsolutePath() + "\n");
    }

    @Override
    public String toString() {
        return "DeviceEnvFile[" + saasUrl + (caFile == null ? "" : ", " + caFile) + "]";
    }
}
