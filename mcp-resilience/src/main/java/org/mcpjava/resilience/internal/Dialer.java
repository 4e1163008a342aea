package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.Endpoint;

import java.util.concurrent.CompletableFuture;

/**
 * Opens connections. {@link McpDialer} is the real one; tests supply fakes that complete by hand.
 */
@FunctionalInterface
public interface Dialer {
    /**
     * Connects to {@code endpoint} and completes the handshake; fails (UNAVAILABLE, or the server's
     * refusal) otherwise. {@code events} receives the new link's GOAWAY.
     */
    CompletableFuture<Link> dial(Endpoint endpoint, LinkEvents events);
}
