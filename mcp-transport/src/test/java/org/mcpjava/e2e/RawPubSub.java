package org.mcpjava.e2e;

import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.Flags;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.MetadataKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The pub/sub side of a {@link RawMcpSocket}: HELLO with the session and window parameters a
 * test chooses, and the exact PUBLISH / acknowledgement / SUBSCRIBE frames, so a test sees what the
 * server sends on the wire and answers it (or does not) by hand. Not thread-safe, like the socket.
 */
final class RawPubSub {
    private final RawMcpSocket raw;
    private long nextControlId = 1;

    RawPubSub(RawMcpSocket raw) {
        this.raw = raw;
    }

    RawMcpSocket socket() {
        return raw;
    }

    /**
     * HELLO announcing {@code receiveWindow} (when positive), SESSION_EXPIRY_S {@code expirySeconds}
     * (when positive) and {@code sessionId} (when non-null, to resume); returns WELCOME.
     */
    RawFrame handshake(int receiveWindow, long expirySeconds, byte[] sessionId) throws IOException {
        return handshake(receiveWindow, expirySeconds, sessionId, 0);
    }

    /** {@link #handshake(int, long, byte[])} also announcing MAX_FRAME {@code maxFrame} (when positive). */
    RawFrame handshake(int receiveWindow, long expirySeconds, byte[] sessionId, int maxFrame) throws IOException {
        FrameWriter w = RawMcpSocket.frame(FrameType.HELLO, 0, 0, 0, 0).utf8(MetadataKey.CLIENT_ID, "raw-pubsub");
        if (maxFrame > 0) {
            w.u32(MetadataKey.MAX_FRAME, maxFrame);
        }
        if (receiveWindow > 0) {
            w.u16(MetadataKey.RECEIVE_WINDOW, receiveWindow);
        }
        if (expirySeconds > 0) {
            w.u32(MetadataKey.SESSION_EXPIRY_S, expirySeconds);
        }
        if (sessionId != null) {
            w.bytes(MetadataKey.SESSION_ID.wire(), sessionId);
        }
        raw.send(w.bytes(MetadataKey.CODECS.wire(), new byte[] {0, 1}).finish());
        return raw.readFrame(FrameType.WELCOME);
    }

    /** SUBSCRIBE with {@code filters} (filter to max QoS, in order); returns SUBACK's codes. */
    int[] subscribe(Map<String, Integer> filters) throws IOException {
        long id = nextControlId;
        nextControlId += 2;
        FrameWriter w = RawMcpSocket.frame(FrameType.SUBSCRIBE, 0, 0, 0, id);
        filters.forEach((f, q) -> w.subscription(q, f));
        raw.send(w.finish());
        RawFrame suback = raw.readFrame(FrameType.SUBACK);
        assertEquals(id, suback.streamId, "SUBACK answers the SUBSCRIBE");
        int[] codes = new int[suback.payload.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = suback.payload[i] & 0xFF;
        }
        return codes;
    }

    /** Sends PUBLISH (raw codec) to {@code topic}. */
    void publish(String topic, int qos, long packetId, boolean dup, boolean retain, String payload) throws IOException {
        raw.send(RawMcpSocket.frame(FrameType.PUBLISH, Flags.publish(qos, dup, retain), 0, 0, packetId)
                .utf8(MetadataKey.TOPIC, topic)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .finish());
    }

    /** Sends an acknowledgement frame ({@code PUBACK}, {@code PUBREC}, {@code PUBREL}, {@code PUBCOMP}). */
    void ack(FrameType type, long packetId) throws IOException {
        raw.send(RawMcpSocket.frame(type, 0, 0, 0, packetId).finish());
    }

    /** Refuses the PUBLISH {@code packetId} with NACK(code). */
    void nack(long packetId, ErrorCode code) throws IOException {
        raw.send(RawMcpSocket.frame(FrameType.NACK, 0, 0, 0, packetId).u16(MetadataKey.ERROR_CODE, code.code()).finish());
    }

    /** Reads the next frame, which must be a PUBLISH. */
    RawFrame readPublish() throws IOException {
        return raw.readFrame(FrameType.PUBLISH);
    }

    /** Reads the next frame, which must be a PUBLISH to {@code topic} with {@code payload}. */
    RawFrame expectPublish(String topic, String payload) throws IOException {
        RawFrame f = readPublish();
        assertEquals(topic, f.string(MetadataKey.TOPIC), () -> "topic of " + f);
        assertEquals(payload, f.payloadUtf8(), () -> "payload of " + f);
        return f;
    }

    /** Reads the next frame, which must be {@code type} for {@code packetId}. */
    RawFrame expect(FrameType type, long packetId) throws IOException {
        RawFrame f = raw.readFrame(type);
        assertEquals(packetId, f.streamId, () -> "packet id of " + f);
        return f;
    }

    /**
     * PING, then asserts that the next frame is its PONG: nothing else was on its way. Only
     * meaningful once the server has decided everything it will send (e.g. its counters say so).
     */
    void expectNothingPending(long stamp) throws IOException {
        raw.sendPing(stamp);
        RawFrame pong = raw.readFrame(FrameType.PONG);
        byte[] expected = new byte[8];
        for (int i = 0; i < 8; i++) {
            expected[i] = (byte) (stamp >>> (56 - 8 * i));
        }
        assertArrayEquals(expected, pong.payload, "PONG echoes the PING");
    }

    static int qos(RawFrame publish) {
        return Flags.qos(publish.flags);
    }

    static boolean dup(RawFrame publish) {
        return Flags.isDup(publish.flags);
    }

    static boolean retain(RawFrame publish) {
        return Flags.isRetain(publish.flags);
    }
}
