package org.mcpjava.resilience;

/**
 * What a full offline queue does with one more message (see docs/resilience.md for the choice).
 * Either way the message that does not fit is reported, never lost silently: its publish future
 * fails with QUOTA_EXCEEDED and the client counts it.
 */
public enum OverflowPolicy {
    /**
     * The default. The new message is refused: {@code publish} fails at once with QUOTA_EXCEEDED and
     * the caller decides (wait, drop, aggregate). Everything the queue accepted is kept until the
     * server acknowledges it or it expires.
     */
    REJECT_NEW,
    /**
     * The oldest message not yet handed to a connection is dropped (its future fails with
     * QUOTA_EXCEEDED) to make room: the queue keeps the most recent data, as telemetry often
     * prefers. Messages already sent and awaiting their acknowledgement are never dropped; if all
     * are, the new message is refused as with {@link #REJECT_NEW}.
     */
    DROP_OLDEST
}
