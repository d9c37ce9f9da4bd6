package io.edgeflow.cloud.store;

/** How an engine runs units of work as transactions: one at a time on one connection, or side by side. */
interface Engine extends AutoCloseable {
    /**
     * @param <T> the result type
     * @param work the work
     * @return what the work returned, once its transaction is committed
     * @throws StoreException if the database failed, or the work threw an {@link java.sql.SQLException}
     */
    <T> T transaction(Database.Work<T> work);

    /** @return the engine's dialect */
    Dialect dialect();

    @Override
    void close();
}
