package io.edgeflow.cloud.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** What the statements of one transaction run on: its connection, statements prepared on it, the dialect. */
interface Session {
    /**
     * @param sql a statement
     * @return it prepared on the transaction's connection, parameters cleared; closed by the engine
     * @throws SQLException on failure
     */
    PreparedStatement prepare(String sql) throws SQLException;

    /** @return the transaction's connection (auto-commit off) */
    Connection connection();

    /** @return the engine's dialect */
    Dialect dialect();
}
