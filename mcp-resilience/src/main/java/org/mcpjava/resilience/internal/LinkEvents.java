package org.mcpjava.resilience.internal;

/**
 * What a {@link Dialer}'s connections report besides closing: GOAWAY. Called on I/O threads; the
 * implementation hops to its scheduler.
 */
@FunctionalInterface
public interface LinkEvents {
    /** The server sent GOAWAY on {@code link}: send nothing new there, move on. */
    void goaway(Link link);
}
