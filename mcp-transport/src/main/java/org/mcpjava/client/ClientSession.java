package org.mcpjava.client;

import io.netty.buffer.ByteBufUtil;
import org.mcpjava.core.Payload;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The client's half of a pub/sub session, kept across connections: the session id the server
 * assigned, the expiry asked for, the QoS 1/2 messages published and not yet acknowledged (re-sent
 * with DUP on resume, in order), and the QoS 2 packet ids received and not yet released (so a
 * re-sent QoS 2 message is not delivered twice).
 *
 * <p>Pass the same instance to the builder of each new {@link McpClient} that should resume the
 * session ({@link McpClient.Builder#session(ClientSession)}). Used by one connection at a time; its
 * state is touched only on that connection's event loop.
 */
public final class ClientSession {
    private final long expirySeconds;
    private volatile byte[] sessionId;
    long nextPacketId = 1;
    /** Published and not yet acknowledged, by packet id, in send order. */
    final LinkedHashMap<Long, OutboundPublish> unacknowledged = new LinkedHashMap<>();
    /** QoS 2 packet ids received and not yet released by PUBREL. */
    final Set<Long> receivedQos2 = new HashSet<>();
    /** Published, never sent (they waited for the window) when the last connection closed; in order. */
    final java.util.ArrayDeque<OutboundPublish> waitingForWindow = new java.util.ArrayDeque<>();

    /** A QoS 1/2 message this client published. */
    static final class OutboundPublish {
        final long packetId;
        final String topic;
        final int qos;
        final boolean retain;
        final Payload payload;
        final long expirySeconds;
        final CompletableFuture<Void> done;
        /** QoS 2: PUBREC received, PUBREL sent. */
        boolean released;
        int nackAttempts;
        /** Metadata from the outbound decorator (e.g. TRACEPARENT), or {@code null}. */
        java.util.Map<Integer, String> metadata;

        OutboundPublish(long packetId, String topic, int qos, boolean retain, Payload payload, long expirySeconds,
                        CompletableFuture<Void> done) {
            this.packetId = packetId;
            this.topic = topic;
            this.qos = qos;
            this.retain = retain;
            this.payload = payload;
            this.expirySeconds = expirySeconds;
            this.done = done;
        }
    }

    private ClientSession(long expirySeconds, byte[] sessionId) {
        if (expirySeconds < 0 || expirySeconds > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("expiry must be a u32 of seconds: " + expirySeconds);
        }
        this.expirySeconds = expirySeconds;
        this.sessionId = sessionId;
    }

    /** A new session the server keeps for {@code expirySeconds} after a disconnect (0: ends with it). */
    public static ClientSession create(long expirySeconds) {
        return new ClientSession(expirySeconds, null);
    }

    /** Resumes the session with id {@code sessionIdHex} (e.g. from an earlier run). */
    public static ClientSession resume(String sessionIdHex, long expirySeconds) {
        byte[] id = ByteBufUtil.decodeHexDump(sessionIdHex);
        if (id.length != 16) {
            throw new IllegalArgumentException("a session id is 16 bytes (32 hex digits): " + sessionIdHex);
        }
        return new ClientSession(expirySeconds, id);
    }

    /** SESSION_EXPIRY_S asked for. */
    public long expirySeconds() {
        return expirySeconds;
    }

    /** The session id, as hex, once a server assigned one. */
    public String sessionIdHex() {
        byte[] id = sessionId;
        return id == null ? null : ByteBufUtil.hexDump(id);
    }

    byte[] sessionId() {
        return sessionId;
    }

    void sessionId(byte[] id) {
        this.sessionId = id;
    }

    /** Messages published and not yet acknowledged (including those still waiting for the server's window). */
    public synchronized int unacknowledgedCount() {
        return unacknowledged.size() + waitingForWindow.size();
    }

    Map<Long, OutboundPublish> unacknowledged() {
        return unacknowledged;
    }
}
