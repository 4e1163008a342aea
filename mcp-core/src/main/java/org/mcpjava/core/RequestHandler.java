package org.mcpjava.core;

import java.util.concurrent.CompletionStage;

/**
 * Answers requests for one opcode. Runs on the connection's event loop: it must not block. Use
 * {@link Handlers#blocking} to run blocking work on an executor instead.
 *
 * <p>Complete the stage with the reply payload (ownership passes to the library), or
 * exceptionally with an {@link McpException} to answer that code; any other exception (thrown or
 * completed) answers INTERNAL and the connection carries on. For a NOTIFY the result is ignored
 * (a payload returned is released).
 */
@FunctionalInterface
public interface RequestHandler {
    /** Handles {@code request}; never returns {@code null}. */
    CompletionStage<Payload> handle(Request request) throws Exception;
}
