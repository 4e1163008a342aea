package org.mcpjava.store.sqlite;

/**
 * A {@link SqliteSessionStore} could not do what was asked: the file could not be opened or has an
 * unsupported schema, a load failed, or a transaction failed (then the {@code barrier()} futures
 * that waited on it complete exceptionally with this, the {@link java.sql.SQLException} as cause).
 */
public final class SqliteStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message} and the underlying {@code cause} (may be null). */
    public SqliteStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
