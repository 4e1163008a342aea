package org.mcpjava.broker.store;

import org.mcpjava.core.TraceContext;

/**
 * One application message as a store keeps it. Immutable; {@code payload} is owned by the record
 * (callers must not modify the array after handing it over).
 *
 * @param topic          the topic it was published to
 * @param qos            the QoS it is delivered with (0-2)
 * @param retain         the RETAIN flag as delivered
 * @param codec          the payload's codec id, forwarded unchanged
 * @param payload        the payload bytes
 * @param expiresAtMillis wall-clock expiry (epoch millis) from MESSAGE_EXPIRY_S, or 0 for none
 * @param trace          the trace context delivered with it (TRACEPARENT / TRACESTATE), or {@code null}
 */
public record StoredMessage(String topic, int qos, boolean retain, int codec, byte[] payload, long expiresAtMillis,
                            TraceContext trace) {
    public StoredMessage {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic is empty");
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0-2: " + qos);
        }
        if (payload == null) {
            throw new IllegalArgumentException("payload is null");
        }
    }

    /** A message without trace context. */
    public StoredMessage(String topic, int qos, boolean retain, int codec, byte[] payload, long expiresAtMillis) {
        this(topic, qos, retain, codec, payload, expiresAtMillis, null);
    }

    /** Whether the message has expired at {@code nowMillis}. */
    public boolean isExpired(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }

    /** A copy delivered with {@code qos} and {@code retain} (same bytes, same trace context). */
    public StoredMessage withDelivery(int qos, boolean retain) {
        return qos == this.qos && retain == this.retain ? this
                : new StoredMessage(topic, qos, retain, codec, payload, expiresAtMillis, trace);
    }
}
