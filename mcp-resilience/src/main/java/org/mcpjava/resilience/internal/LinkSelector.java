package org.mcpjava.resilience.internal;

/** Chooses the connection for the next call. Thread-safe. */
public interface LinkSelector {
    /**
     * A connected link with room for one more call, its in-flight count already incremented (the
     * caller decrements it when the call ends), or {@code null} if none has room.
     */
    Link acquire();

    /** Whether any link is connected, with room or not. */
    boolean anyReady();
}
