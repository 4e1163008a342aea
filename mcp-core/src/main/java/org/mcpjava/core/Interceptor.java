package org.mcpjava.core;

import java.util.concurrent.CompletionStage;

/**
 * Wraps request handling, on the server and on the client for inbound requests: authorization,
 * logging, rate limits, metrics. An interceptor either answers itself or calls
 * {@link Chain#proceed(Request)} exactly once.
 */
@FunctionalInterface
public interface Interceptor {
    /** Handles {@code request}, usually by delegating to {@code chain}. */
    CompletionStage<Payload> intercept(Request request, Chain chain) throws Exception;

    /** The rest of the chain. */
    interface Chain {
        /** Passes the request on to the next interceptor or the handler. Call it at most once. */
        CompletionStage<Payload> proceed(Request request);
    }
}
