package io.edgeflow.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One page of the devices an operator looks for: the paging and the filter run in the database query, so a page of
 * 10,000 devices costs what a page of 50 does. Portable SQL (SQLite, H2, PostgreSQL): {@code LOWER(..) LIKE ..
 * ESCAPE}, {@code LIMIT .. OFFSET ..}.
 *
 * @param text matched, case-insensitively, anywhere in the Device ID and in the facts it reported (host name, board
 *        model, address, ...); null or blank for every device
 * @param status only devices in this status ({@link DeviceRecord#PENDING}, ...), or null for all
 * @param offset how many matching devices to skip, newest first
 * @param limit most devices on the page
 */
public record DeviceSearch(String text, String status, int offset, int limit) {
    /**
     * @throws IllegalArgumentException for a negative offset or a limit outside 1..1000
     */
    public DeviceSearch {
        if (offset < 0 || limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("offset " + offset + ", limit " + limit);
        }
        text = text == null || text.isBlank() ? null : text.strip();
    }

    /**
     * @param tx the transaction
     * @return the page, newest first
     * @throws SQLException on failure
     */
    public List<DeviceRecord> page(StoreTransaction tx) throws SQLException {
        try (PreparedStatement s = tx.connection().prepareStatement("SELECT " + DeviceRows.DEVICE_COLUMNS
                + " FROM devices" + where() + " ORDER BY registered_at DESC, id DESC LIMIT ? OFFSET ?")) {
            int next = bind(s);
            s.setInt(next, limit);
            s.setInt(next + 1, offset);
            List<DeviceRecord> devices = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    devices.add(DeviceRows.device(rs));
                }
            }
            return devices;
        }
    }

    /**
     * @param tx the transaction
     * @return how many devices match, on every page together
     * @throws SQLException on failure
     */
    public long count(StoreTransaction tx) throws SQLException {
        try (PreparedStatement s = tx.connection().prepareStatement("SELECT COUNT(*) FROM devices" + where())) {
            bind(s);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private String where() {
        List<String> terms = new ArrayList<>();
        if (text != null) {
            terms.add("(LOWER(id) LIKE ? ESCAPE '\\' OR LOWER(hardware) LIKE ? ESCAPE '\\'"
                    + " OR LOWER(network) LIKE ? ESCAPE '\\')");
        }
        if (status != null) {
            terms.add("status = ?");
        }
        return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
    }

    /** @return the index of the next parameter */
    private int bind(PreparedStatement s) throws SQLException {
        int i = 1;
        if (text != null) {
            String pattern = "%" + likeEscaped(text.toLowerCase(Locale.ROOT)) + "%";
            s.setString(i++, pattern);
            s.setString(i++, pattern);
            s.setString(i++, pattern);
        }
        if (status != null) {
            s.setString(i++, status);
        }
        return i;
    }

    /** @return the text with LIKE's wildcards and the escape character itself taken literally */
    static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
