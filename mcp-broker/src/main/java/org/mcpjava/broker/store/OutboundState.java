package org.mcpjava.broker.store;

/** Where a message bound for a session's client stands. */
public enum OutboundState {
    /** Waiting: the client is offline or its RECEIVE_WINDOW is full. No packet id yet. */
    QUEUED,
    /** PUBLISH sent with a packet id; waiting for PUBACK (QoS 1) or PUBREC (QoS 2). */
    PUBLISHED,
    /** QoS 2: PUBREC received and PUBREL sent; waiting for PUBCOMP. */
    RELEASED
}
