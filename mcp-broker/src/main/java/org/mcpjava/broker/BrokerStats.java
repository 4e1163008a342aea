package org.mcpjava.broker;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the broker, cheap to update from any thread. Read them for metrics and tests. */
public final class BrokerStats {
    /** PUBLISH received from clients, by QoS. */
    public final LongAdder[] received = {new LongAdder(), new LongAdder(), new LongAdder()};
    /** Messages handed to subscribers' sessions (queued or sent), by delivered QoS. */
    public final LongAdder[] routed = {new LongAdder(), new LongAdder(), new LongAdder()};
    /** PUBLISH re-sent with DUP (resume, NACK retry). */
    public final LongAdder retransmitted = new LongAdder();
    /** QoS 0 messages dropped (queue full or connection not writable). */
    public final LongAdder droppedQos0 = new LongAdder();
    /** QoS 1/2 messages dropped for a session whose queue was full. */
    public final LongAdder droppedQueueFull = new LongAdder();
    /**
     * Deliveries skipped because their PUBLISH frame would exceed the subscriber's MAX_FRAME (any
     * QoS; the message is dropped for that subscriber only).
     */
    public final LongAdder droppedTooLarge = new LongAdder();
    /** Messages dropped because they expired (MESSAGE_EXPIRY_S) before delivery. */
    public final LongAdder expired = new LongAdder();
    /** QoS 1/2 publishes refused with NACK(OVERLOADED) because a subscriber's queue was full. */
    public final LongAdder overloadNacks = new LongAdder();
    /** NACK received from clients. */
    public final LongAdder nacksReceived = new LongAdder();
    /** Times delivery to a session stopped with messages queued because the client's RECEIVE_WINDOW was full. */
    public final LongAdder windowStalls = new LongAdder();
    /** Sessions expired. */
    public final LongAdder sessionsExpired = new LongAdder();
}
