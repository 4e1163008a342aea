package org.mcpjava.resilience.internal;

/**
 * What a {@link Dialer}'s connections report besides closing: GOAWAY. Called on I/O threads; the
 * implementation hops to its scheduler.
 */
@FunctionalInterface
public interface LinkEvents {
    /**
     * The server sent GOAWAY on {@code link}: send nothing new there, move on.
     *
     * @param code    GOAWAY's error code (NO_ERROR for a shutdown or rebalance; SESSION_TAKEN_OVER
     *                when another connection resumed the session)
     * @param message GOAWAY's message, or {@code null}
     */
    void goaway(Link link, int code, String message);
}
