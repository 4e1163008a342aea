package org.mcpjava.core;

import org.mcpjava.wire.ErrorCode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Dispatches requests by opcode through an interceptor chain. Built once, then immutable and
 * thread-safe. An opcode without a handler answers NOT_FOUND.
 */
public final class Router {
    /** Opcodes 0xFF00-0xFFFF are reserved for built-in operations. */
    public static final int RESERVED_MIN = 0xFF00;

    private final RequestHandler[] handlers = new RequestHandler[0x10000];
    private final List<Interceptor> interceptors;

    private Router(Map<Integer, RequestHandler> handlers, List<Interceptor> interceptors) {
        handlers.forEach((op, h) -> this.handlers[op] = h);
        this.interceptors = Collections.unmodifiableList(new ArrayList<>(interceptors));
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether a handler is registered for {@code opcode}. */
    public boolean has(int opcode) {
        return handlers[opcode] != null;
    }

    /** The interceptors, outermost first. */
    public List<Interceptor> interceptors() {
        return interceptors;
    }

    /**
     * Runs {@code request} through the interceptors and its handler. Never throws: failures come
     * back as an exceptionally completed stage.
     */
    public CompletionStage<Payload> dispatch(Request request) {
        // Without interceptors there is no chain to walk: no per-request chain object.
        return interceptors.isEmpty() ? invokeHandler(request) : new RealChain(0).proceed(request);
    }

    private CompletionStage<Payload> invokeHandler(Request request) {
        RequestHandler handler = handlers[request.opcode()];
        if (handler == null) {
            return CompletableFuture.failedFuture(new McpException(ErrorCode.NOT_FOUND,
                    String.format("no handler for opcode 0x%04x", request.opcode())));
        }
        try {
            CompletionStage<Payload> stage = handler.handle(request);
            if (stage == null) {
                return CompletableFuture.failedFuture(new McpException(ErrorCode.INTERNAL,
                        String.format("handler for opcode 0x%04x returned null", request.opcode())));
            }
            return stage;
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
    }

    /** Walks the interceptors, enforcing that each proceeds at most once. */
    private final class RealChain implements Interceptor.Chain {
        private final int index;
        private boolean called;

        RealChain(int index) {
            this.index = index;
        }

        @Override
        public CompletionStage<Payload> proceed(Request request) {
            if (called) {
                return CompletableFuture.failedFuture(new IllegalStateException("interceptor "
                        + interceptors.get(index - 1).getClass().getName() + " called proceed() twice"));
            }
            called = true;
            if (index == interceptors.size()) {
                return invokeHandler(request);
            }
            Interceptor interceptor = interceptors.get(index);
            try {
                CompletionStage<Payload> stage = interceptor.intercept(request, new RealChain(index + 1));
                if (stage == null) {
                    return CompletableFuture.failedFuture(new IllegalStateException("interceptor "
                            + interceptor.getClass().getName() + " returned null"));
                }
                return stage;
            } catch (Throwable t) {
                return CompletableFuture.failedFuture(t);
            }
        }
    }

    /** Collects handlers and interceptors. */
    public static final class Builder {
        private final Map<Integer, RequestHandler> handlers = new HashMap<>();
        private final List<Interceptor> interceptors = new ArrayList<>();

        private Builder() {
        }

        /** Registers {@code handler} for {@code opcode} (0-65535; reserved ones only for built-ins). */
        public Builder handle(int opcode, RequestHandler handler) {
            if (opcode < 0 || opcode > 0xFFFF) {
                throw new IllegalArgumentException("opcode must be 0-65535: " + opcode);
            }
            if (handler == null) {
                throw new IllegalArgumentException("handler for opcode " + opcode + " is null");
            }
            if (handlers.putIfAbsent(opcode, handler) != null) {
                throw new IllegalArgumentException(String.format("opcode 0x%04x already has a handler", opcode));
            }
            return this;
        }

        /** Adds an interceptor; the first added is the outermost. */
        public Builder intercept(Interceptor interceptor) {
            if (interceptor == null) {
                throw new IllegalArgumentException("interceptor is null");
            }
            interceptors.add(interceptor);
            return this;
        }

        /** Whether {@code opcode} already has a handler. */
        public boolean has(int opcode) {
            return handlers.containsKey(opcode);
        }

        /** The immutable router. */
        public Router build() {
            return new Router(handlers, interceptors);
        }
    }
}
