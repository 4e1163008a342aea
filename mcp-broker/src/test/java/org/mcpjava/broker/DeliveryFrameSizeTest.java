package org.mcpjava.broker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.core.TraceContext;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.Flags;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.MetadataKey;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link DeliveryFrameSize} against the spec's PUBLISH test vector and against frames encoded
 * with the entries a delivery carries (the server's encoder also asserts it on every PUBLISH).
 */
class DeliveryFrameSizeTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Encodes {@code m} as a delivery: TOPIC, TRACEPARENT, TRACESTATE, MESSAGE_EXPIRY_S, payload. */
    private static int encodedSize(StoredMessage m) {
        FrameWriter w = new FrameWriter().begin(Unpooled.buffer(), FrameType.PUBLISH, Flags.publish(m.qos(), true,
                m.retain()), m.codec(), 0, m.qos() == 0 ? 0 : 0xFFFF_FFFFL).utf8(MetadataKey.TOPIC, m.topic());
        if (m.trace() != null) {
            w.utf8(MetadataKey.TRACEPARENT, m.trace().traceparent());
            if (m.trace().tracestate() != null) {
                w.utf8(MetadataKey.TRACESTATE, m.trace().tracestate());
            }
        }
        if (m.expiresAtMillis() != 0) {
            w.u32(MetadataKey.MESSAGE_EXPIRY_S, 0xFFFF_FFFFL);
        }
        ByteBuf frame = w.payload(m.payload()).finish();
        try {
            return frame.readableBytes();
        } finally {
            frame.release();
        }
    }

    @Test
    void specVectorPublishIs45Bytes() {
        // Spec 10: PUBLISH QoS 1, packet id 7, TOPIC "sensors/t1", JSON {"v":21.5}.
        StoredMessage m = new StoredMessage("sensors/t1", 1, false, Codecs.JSON, utf8("{\"v\":21.5}"), 0);
        assertEquals(45, DeliveryFrameSize.of(m));
    }

    @Test
    void matchesTheEncodedFrameWithEveryOptionalEntry() {
        byte[] payload = new byte[1000];
        StoredMessage[] messages = {
            new StoredMessage("t", 0, false, 0, new byte[0], 0),
            new StoredMessage("t", 2, true, 0, payload, 0),
            new StoredMessage("capteurs/température/été", 1, false, 0, payload, 0), // multi-byte UTF-8
            new StoredMessage("a/b", 1, false, 0, payload, 1_000, null),
            new StoredMessage("a/b", 2, false, 0, payload, 0, new TraceContext(TRACEPARENT, null)),
            new StoredMessage("a/b", 1, false, 0, payload, 0, new TraceContext(TRACEPARENT, "")),
            new StoredMessage("a/b", 1, true, 0, payload, 5_000, new TraceContext(TRACEPARENT, "vendor=é,other=1")),
        };
        for (StoredMessage m : messages) {
            assertEquals(encodedSize(m), DeliveryFrameSize.of(m), () -> "size of " + m.topic() + " " + m.trace());
        }
    }

    @Test
    void qosRetainAndPacketIdDoNotChangeTheSize() {
        StoredMessage m = new StoredMessage("a/b", 2, false, 0, new byte[10], 0);
        assertEquals(DeliveryFrameSize.of(m), DeliveryFrameSize.of(m.withDelivery(0, true)));
    }
}
