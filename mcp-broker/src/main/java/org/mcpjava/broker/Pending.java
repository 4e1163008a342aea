package org.mcpjava.broker;

import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.StoredMessage;

/** A message on its way to one session's client. Guarded by its session's lock. */
final class Pending {
    final Session session;
    final long sequence;
    final StoredMessage message;
    final boolean persisted;
    /** Bytes of the PUBLISH that delivers it ({@link DeliveryFrameSize}), held against the client's MAX_FRAME. */
    final long frameSize;
    long packetId;
    OutboundState state = OutboundState.QUEUED;
    /** Sendable: whatever the store had to make durable for it is durable. */
    boolean committed;
    int nackAttempts;

    Pending(Session session, long sequence, StoredMessage message, long frameSize, boolean persisted) {
        this.session = session;
        this.sequence = sequence;
        this.message = message;
        this.frameSize = frameSize;
        this.persisted = persisted;
    }
}
