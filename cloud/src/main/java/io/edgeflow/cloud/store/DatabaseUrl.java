package io.edgeflow.cloud.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a PostgreSQL store is: {@code postgresql://user:password@host:port/database?parameters}, as
 * {@code serve --database} and {@code EDGEFLOW_CLOUD_DATABASE_URL} take it. The password is kept apart
 * from the JDBC URL and never shown: {@link #toString()} leaves it out.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database?parameters}, no credentials in it
 * @param user the user name, or null for the driver's default
 * @param password the password, or null
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {
    /** How a URL must look, for error messages (it never quotes the value given: it may hold a password). */
    public static final String FORM = "postgresql://user:password@host:5432/database";

    /**
     * @param text the URL as given
     * @return it, parsed
     * @throws IllegalArgumentException naming what is wrong (never echoing the text)
     */
    public static DatabaseUrl parse(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the database URL is not a URL; expected " + FORM);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
            throw new IllegalArgumentException("the database URL must start with postgresql:// (the only engine "
                    + "besides the built-in SQLite); expected " + FORM);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the database URL has no host; expected " + FORM);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.length() < 2 || path.indexOf('/', 1) >= 0) {
            throw new IllegalArgumentException("the database URL names no database (/database after the host); "
                    + "expected " + FORM);
        }
        String user = null;
        String password = null;
        if (uri.getUserInfo() != null) {
            String info = uri.getUserInfo();
            int colon = info.indexOf(':');
            user = colon < 0 ? info : info.substring(0, colon);
            password = colon < 0 ? null : info.substring(colon + 1);
        }
        String query = uri.getRawQuery();
        if (query != null && ("&" + query.toLowerCase(Locale.ROOT)).contains("&password=")) {
            // the JDBC URL is shown by the driver and by Flyway: the password goes in the user info only
            throw new IllegalArgumentException("give the database password in the URL's user info "
                    + "(postgresql://user:password@...), not as a parameter");
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + port + path
                + (query == null ? "" : "?" + query);
        return new DatabaseUrl(jdbc, user == null || user.isEmpty() ? null : user, password);
    }

    /** @return the URL without its password: {@code postgresql://user@host:port/database} */
    @Override
    public String toString() {
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        int query = rest.indexOf('?');
        return "postgresql://" + (user == null ? "" : user + "@") + (query < 0 ? rest : rest.substring(0, query));
    }
}
