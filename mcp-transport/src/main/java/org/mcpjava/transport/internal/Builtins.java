package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.mcpjava.core.Payload;
import org.mcpjava.core.Request;
import org.mcpjava.core.Router;
import org.mcpjava.wire.Codecs;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** The built-in operations every endpoint answers: ECHO (0xFF01) and INFO (0xFF02). */
public final class Builtins {
    /** Answers with the request's payload and codec. */
    public static final int ECHO = 0xFF01;
    /** Answers with a JSON object describing the endpoint and the session. */
    public static final int INFO = 0xFF02;
    /** The implementation version reported by INFO. */
    public static final String VERSION = "0.1.0";

    private Builtins() {
    }

    /** Registers ECHO and INFO unless the application registered its own. */
    public static void register(Router.Builder router, String name, String role) {
        if (!router.has(ECHO)) {
            // The request's own payload, retained: the answer is written (copied) before the request
            // is released, and each release drops one of the two counts.
            router.handle(ECHO, request -> CompletableFuture.completedFuture(request.payload().retain()));
        }
        if (!router.has(INFO)) {
            router.handle(INFO, request -> CompletableFuture.completedFuture(info(request, name, role)));
        }
    }

    private static Payload info(Request request, String name, String role) {
        String json = "{\"server\":" + quote(name)
                + ",\"version\":" + quote(VERSION)
                + ",\"protocol\":1"
                + ",\"role\":" + quote(role)
                + ",\"sessionId\":" + quote(request.connection().sessionId())
                + ",\"transport\":" + quote(Transports.name())
                + ",\"remote\":" + quote(String.valueOf(request.remoteAddress()))
                + "}";
        return Payload.of(Codecs.JSON, Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** Hex of {@code bytes}, for logs. */
    static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }
}
