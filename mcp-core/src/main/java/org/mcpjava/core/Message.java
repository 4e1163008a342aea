package org.mcpjava.core;

import java.nio.charset.StandardCharsets;

/**
 * A pub/sub message as a subscriber receives it. Immutable; the payload array belongs to the
 * message (do not modify it).
 *
 * @param topic   the topic it was published to
 * @param qos     the QoS it was delivered with
 * @param retain  whether it is a retained message sent because of a new subscription
 * @param dup     whether the server marked it as a possible retransmission
 * @param codec   the payload's codec id, as the publisher tagged it
 * @param payload the payload bytes
 * @param trace   the delivery's TRACEPARENT / TRACESTATE (the publisher's trace context, or that of
 *                the span the server recorded for the publish), or {@code null} when it has none
 */
public record Message(String topic, int qos, boolean retain, boolean dup, int codec, byte[] payload,
                      TraceContext trace) {
    /** A message without trace context. */
    public Message(String topic, int qos, boolean retain, boolean dup, int codec, byte[] payload) {
        this(topic, qos, retain, dup, codec, payload, null);
    }

    /** The payload as UTF-8 text. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
