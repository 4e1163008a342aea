package org.mcpjava.resilience;

import java.util.Objects;

/**
 * A message a {@link ResilientClient} accepted and the server has not yet acknowledged, as an
 * {@link OfflineQueue} keeps it. Immutable; the payload array belongs to the message (never modified).
 *
 * @param sequence        its place in the queue, increasing in the order messages were accepted
 * @param topic           the topic it is published to
 * @param qos             0, 1 or 2
 * @param retain          the RETAIN flag
 * @param codec           the payload's codec id
 * @param payload         the payload bytes
 * @param expiresAtMillis wall-clock time (epoch ms) after which it is dropped unsent; 0 for never
 * @param attempts        connections that were lost while it was unacknowledged (its retry count)
 */
public record QueuedMessage(long sequence, String topic, int qos, boolean retain, int codec, byte[] payload,
                            long expiresAtMillis, int attempts) {

    /** Validates the fields. */
    public QueuedMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0-2: " + qos);
        }
        if ((codec & ~0xFF) != 0) {
            throw new IllegalArgumentException("codec must be 0-255: " + codec);
        }
        if (attempts < 0 || expiresAtMillis < 0) {
            throw new IllegalArgumentException("attempts and expiry must be >= 0: " + attempts + ", " + expiresAtMillis);
        }
    }

    /** This message with {@code attempts}. */
    public QueuedMessage withAttempts(int attempts) {
        return new QueuedMessage(sequence, topic, qos, retain, codec, payload, expiresAtMillis, attempts);
    }

    /** Whether it has expired at {@code nowMillis}. */
    public boolean expiredAt(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }
}
