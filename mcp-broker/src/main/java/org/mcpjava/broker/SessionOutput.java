package org.mcpjava.broker;

import org.mcpjava.broker.store.StoredMessage;

/**
 * What the broker needs from the connection a session is attached to: writing the pub/sub frames.
 * Implementations are thread-safe (the broker calls them from any thread, holding the session's
 * lock, so frames for one session are written in the order the session decided them) and must not
 * block.
 */
public interface SessionOutput {
    /** The client's RECEIVE_WINDOW: QoS 1/2 PUBLISH it accepts unacknowledged. */
    int receiveWindow();

    /**
     * The client's MAX_FRAME: the largest frame it accepts. The broker never asks for a PUBLISH
     * larger than this; a message that would need one is skipped for this client.
     */
    int maxFrame();

    /** Whether the connection can take more bytes now (QoS 0 is dropped when it cannot). */
    boolean isWritable();

    /**
     * Writes PUBLISH (packet id 0 for QoS 0): a frame of exactly {@link DeliveryFrameSize#of}
     * {@code message} bytes, at most {@link #maxFrame()}.
     */
    void publish(long packetId, StoredMessage message, boolean dup);

    /** Writes PUBREL. */
    void pubrel(long packetId, boolean dup);

    /** Writes PUBACK for a client's QoS 1 PUBLISH. */
    void puback(long packetId);

    /** Writes PUBREC for a client's QoS 2 PUBLISH. */
    void pubrec(long packetId);

    /** Writes PUBCOMP for a client's PUBREL. */
    void pubcomp(long packetId);

    /** Writes NACK refusing a client's PUBLISH. */
    void nack(long packetId, int code, String message);

    /** Flushes written frames. */
    void flush();

    /** Another connection resumed this session: send GOAWAY(SESSION_TAKEN_OVER) and close. */
    void takenOver();
}
