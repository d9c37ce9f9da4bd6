package io.edgeflow.cloud;

import java.util.Arrays;

import io.edgeflow.cloud.cli.Cli;

/** Entry point of {@code edgeflow-cloud.jar}: the server ({@code serve}) and its admin CLI. */
public final class Main {
    private Main() {
    }

    /**
     * @param args the command line; {@code --help} lists the commands
     */
    public static void main(String[] args) {
        // Logging goes to standard error; Jetty's own chatter only when something is wrong.
        defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        defaultProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        // a WARN per malformed request, quoting the caller's Host header or path as it came: the caller gets its
        // 400, the log neither a line per attempt nor text a client chose (C1 controls pass Jetty's parser)
        defaultProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty.http.HttpParser", "error");
        defaultProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty.util.HostPort", "error");
        defaultProperty("org.slf4j.simpleLogger.showDateTime", "true");
        defaultProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        int status = new Cli(System.getenv(), System.out, System.err).run(Arrays.asList(args));
        System.out.flush();
        System.exit(status);
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
