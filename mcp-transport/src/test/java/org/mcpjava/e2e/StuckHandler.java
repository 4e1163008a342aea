package org.mcpjava.e2e;

import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.core.Request;
import org.mcpjava.core.RequestHandler;
import org.mcpjava.wire.ErrorCode;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A handler whose stages never complete on their own: each request gets a new
 * {@link CompletableFuture} that only {@link #releaseAll()} completes.
 *
 * <p>The engine keeps a request's frame until its handler's stage completes (a handler may still
 * be reading the payload), so tests call {@link #releaseAll()} before closing the server; that
 * is hygiene for the leak detector, not part of what they check.
 */
final class StuckHandler implements RequestHandler {
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<Payload>> stages = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Payload> handle(Request request) {
        CompletableFuture<Payload> never = new CompletableFuture<>();
        stages.add(never);
        requests.add(request);
        return never;
    }

    /** Requests that reached this handler so far. */
    int count() {
        return requests.size();
    }

    /** Completes every stage (exceptionally), so the engine can let go of the requests. */
    void releaseAll() {
        for (CompletableFuture<Payload> f : stages) {
            f.completeExceptionally(new McpException(ErrorCode.CANCELLED, "test over"));
        }
    }
}
