package org.mcpjava.core;

import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * Checks a HELLO's credentials. Completes with the principal's name, or exceptionally (any
 * exception) to refuse: the client then gets ERROR(UNAUTHENTICATED) and the connection closes.
 * Runs on the event loop: return a stage that completes elsewhere if checking blocks.
 */
@FunctionalInterface
public interface Authenticator {
    /**
     * @param clientId the CLIENT_ID the client sent, or {@code null}
     * @param credentials the AUTH bytes, or an empty array
     */
    CompletionStage<String> authenticate(String clientId, byte[] credentials, SocketAddress remote);
}
