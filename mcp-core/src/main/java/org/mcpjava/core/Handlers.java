package org.mcpjava.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** Adapters that turn plain functions into {@link RequestHandler}s. */
public final class Handlers {
    private Handlers() {
    }

    /** A handler that answers with a constant-time function of the request, on the event loop. */
    public static RequestHandler sync(Function<Request, Payload> fn) {
        return request -> CompletableFuture.completedFuture(fn.apply(request));
    }

    /**
     * A handler that runs {@code fn} on {@code executor}, so it may block. Its payload stays
     * valid until the returned stage completes.
     */
    public static RequestHandler blocking(Executor executor, Function<Request, Payload> fn) {
        return request -> CompletableFuture.supplyAsync(() -> {
            if (request.isCancelled()) {
                throw new McpException(org.mcpjava.wire.ErrorCode.CANCELLED, "cancelled before it ran");
            }
            return fn.apply(request);
        }, executor);
    }

    /**
     * A typed handler: on {@code executor} (so neither a large payload nor {@code fn} blocks the
     * event loop) decodes the request into {@code requestType} with its codec, applies {@code fn},
     * and encodes the result in the same codec. A payload that does not decode answers
     * INVALID_PAYLOAD.
     */
    public static <Q, R> RequestHandler typed(Class<Q> requestType, Executor executor, Function<Q, R> fn) {
        return request -> CompletableFuture.supplyAsync(
                () -> request.encode(fn.apply(request.decode(requestType))), executor);
    }

    /** A typed, non-blocking handler that runs on the event loop. */
    public static <Q, R> RequestHandler typedAsync(Class<Q> requestType, Function<Q, CompletionStage<R>> fn) {
        return request -> fn.apply(request.decode(requestType)).thenApply(request::encode);
    }
}
