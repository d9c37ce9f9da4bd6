package io.edgeflow.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Provides the Web Console's login (HTTP Basic, the operator's user and password) while a console password is
 * configured, and lets the console's bundles start.
 *
 * <p>Two locks keep the console shut without a password. The launcher sets the framework property
 * {@code felix.webconsole.security.providers=edgeflow}: the Web Console registers no servlet until a security
 * provider with that id exists, and this component is the only one. And the console's bundles sit at start level
 * {@value #CONSOLE_START_LEVEL}, above the level the agent starts at: this component raises the framework to it when
 * it activates, and lowers it again when the password is removed, so an agent without a console password never
 * loads the console at all.
 */
@Component(configurationPid = ConsoleLoginConfiguration.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, property = {SecurityProvider.PROPERTY_ID + "=" + ConsoleLogin.PROVIDER_ID,
                Constants.SERVICE_RANKING + ":Integer=1000"})
@Designate(ocd = ConsoleLoginConfiguration.class)
public final class ConsoleLogin implements SecurityProvider {
    /** The security provider id the launcher requires ({@code felix.webconsole.security.providers}). */
    public static final String PROVIDER_ID = "edgeflow";
    /** The start level of the console's bundles (the launcher's bndrun). */
    public static final int CONSOLE_START_LEVEL = 20;
    /** Framework property: the start level the agent runs at without a console. */
    static final String BEGINNING_START_LEVEL = "org.osgi.framework.startlevel.beginning";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleLogin.class);
    private static final String REALM = "EdgeFlow Web Console";

    private final Credentials credentials;
    private final Bundle framework;
    private final int agentStartLevel;

    /**
     * Checks the configuration and opens the console.
     *
     * @param config the login
     * @param context this bundle's context: the framework, to change its start level
     */
    @Activate
    public ConsoleLogin(ConsoleLoginConfiguration config, BundleContext context) {
        this.credentials = Credentials.of(config.user(), config._password());
        this.framework = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        this.agentStartLevel = startLevel(context.getProperty(BEGINNING_START_LEVEL));
        if (credentials == null) {
            // a user name but no password (EDGEFLOW_CONSOLE_USER alone): the configuration import already said
            // that the console is off; this provider refuses everyone, and the console's bundles stay stopped
            LOG.debug("No console password: the Web Console stays off");
            return;
        }
        FrameworkStartLevel startLevel = framework.adapt(FrameworkStartLevel.class);
        if (startLevel != null && startLevel.getStartLevel() < CONSOLE_START_LEVEL) {
            startLevel.setStartLevel(CONSOLE_START_LEVEL);
        }
        LOG.info("Web Console on at /system/console of the local API's address, for the user '{}'",
                credentials.user());
    }

    /** Password removed, or the agent stopping: the console's bundles stop (not while the framework stops). */
    @Deactivate
    void close() {
        FrameworkStartLevel startLevel = framework.adapt(FrameworkStartLevel.class);
        if (credentials != null && framework.getState() == Bundle.ACTIVE && startLevel != null
                && startLevel.getStartLevel() >= CONSOLE_START_LEVEL) {
            startLevel.setStartLevel(agentStartLevel);
            LOG.info("Web Console off: no console password");
        }
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        String header = request.getHeader("Authorization");
        if (credentials != null && header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String user = credentials.check(header.substring(6).strip());
            if (user != null) {
                return user;
            }
        }
        try {
            response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write("{\"error\": \"unauthorized\", \"message\": \"The Web Console needs the "
                    + "console user and password (EDGEFLOW_CONSOLE_USER, EDGEFLOW_CONSOLE_PASSWORD).\"}");
            response.flushBuffer();
        } catch (IOException e) {
            LOG.debug("Could not answer a console request without credentials: {}", e.getMessage());
        }
        return null;
    }

    @Override
    public boolean authorize(Object user, String role) {
        return credentials != null && credentials.user().equals(user);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // HTTP Basic keeps no session on the server: nothing to forget here
    }

    private static int startLevel(String property) {
        try {
            return property == null ? 1 : Integer.parseInt(property.strip());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /**
     * The user name and the SHA-256 of the password; the password itself is not kept.
     *
     * @param user the user name
     * @param passwordHash SHA-256 of the password's UTF-8 bytes
     */
    record Credentials(String user, byte[] passwordHash) {
        /**
         * @param user the user name
         * @param password the password
         * @return the credentials; null without a password: there is no default password
         * @throws IllegalArgumentException if the user name is empty or holds ':' (HTTP Basic cannot carry it)
         */
        static Credentials of(String user, String password) {
            if (password == null || password.isEmpty()) {
                return null;
            }
            String name = user == null ? "" : user.strip();
            if (name.isEmpty() || name.contains(":")) {
                throw new IllegalArgumentException("user: expected a user name without ':'");
            }
            return new Credentials(name, sha256(password.getBytes(StandardCharsets.UTF_8)));
        }

        /** @return the user if the Basic credentials (base64 of user:password) match, else null */
        String check(String basic) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(basic);
            } catch (IllegalArgumentException e) {
                return null;
            }
            String pair = new String(decoded, StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            if (colon < 0) {
                return null;
            }
            boolean userMatches = MessageDigest.isEqual(
                    sha256(pair.substring(0, colon).getBytes(StandardCharsets.UTF_8)),
                    sha256(user.getBytes(StandardCharsets.UTF_8)));
            boolean passwordMatches = MessageDigest.isEqual(
                    sha256(pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8)), passwordHash);
            return userMatches && passwordMatches ? user : null;
        }

        private static byte[] sha256(byte[] bytes) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(bytes);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
            }
        }
    }
}
