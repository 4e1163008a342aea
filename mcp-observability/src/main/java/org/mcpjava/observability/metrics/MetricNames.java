package org.mcpjava.observability.metrics;

/**
 * The names of the meters this module registers, in Micrometer's dotted form. Prometheus sees them
 * with dots as underscores, the base unit appended and {@code _total} on counters, e.g.
 * {@value #FRAMES_RECEIVED} is scraped as {@code mcp_frames_received_total} and {@value #REQUESTS}
 * as the histogram {@code mcp_requests_seconds}. docs/operations.md lists every one with its tags;
 * ops/grafana/mcp-dashboard.json is built on them.
 */
public final class MetricNames {
    /** Gauge: established connections now. */
    public static final String CONNECTIONS_OPEN = "mcp.connections.open";
    /** Counter: connections that completed the handshake. */
    public static final String CONNECTIONS_OPENED = "mcp.connections.opened";
    /** Counter, tag {@code reason} (error name, NO_ERROR for a normal close): established connections closed. */
    public static final String CONNECTIONS_CLOSED = "mcp.connections.closed";
    /** Counter, tag {@code reason}: connections that failed before WELCOME. */
    public static final String HANDSHAKES_FAILED = "mcp.handshakes.failed";
    /** Counter, tag {@code type}: frames decoded. */
    public static final String FRAMES_RECEIVED = "mcp.frames.received";
    /** Counter, tag {@code type}: frames written. */
    public static final String FRAMES_SENT = "mcp.frames.sent";
    /** Counter (bytes), tag {@code type}: bytes of the frames decoded. */
    public static final String FRAMES_RECEIVED_BYTES = "mcp.frames.received.bytes";
    /** Counter (bytes), tag {@code type}: bytes of the frames written. */
    public static final String FRAMES_SENT_BYTES = "mcp.frames.sent.bytes";
    /** Timer with histogram, tags {@code opcode}, {@code code}: inbound requests answered by this side. */
    public static final String REQUESTS = "mcp.requests";
    /** Timer with histogram, tags {@code opcode}, {@code code}: outbound calls completed. */
    public static final String CALLS = "mcp.calls";
    /** Counter, tags {@code code}, {@code kind} (request, call, connection, handshake): errors by code. */
    public static final String ERRORS = "mcp.errors";

    /** Gauge: sockets open on the server, including those still in the handshake. */
    public static final String SERVER_SOCKETS = "mcp.server.sockets";
    /** Gauge: 1 while the server drains (graceful shutdown), else 0. */
    public static final String SERVER_DRAINING = "mcp.server.draining";

    /** Gauge, tag {@code state} (attached, detached): pub/sub sessions. */
    public static final String SESSIONS = "mcp.sessions";
    /** Counter, tag {@code qos}: PUBLISH accepted from clients. */
    public static final String PUBLISHES = "mcp.broker.publishes";
    /** Counter, tag {@code qos} (as delivered): messages handed to subscriber sessions. */
    public static final String DELIVERIES = "mcp.broker.deliveries";
    /** Counter: PUBLISH re-sent with DUP (resume, NACK retry). */
    public static final String RETRANSMISSIONS = "mcp.broker.retransmissions";
    /** Counter, tag {@code direction} (received: from subscribers; sent: NACK(OVERLOADED) to publishers). */
    public static final String NACKS = "mcp.broker.nacks";
    /** Counter, tag {@code reason} (qos0, queue_full, expired): messages dropped. */
    public static final String DROPPED = "mcp.broker.dropped";
    /** Counter: deliveries paused because a client's RECEIVE_WINDOW was full. */
    public static final String WINDOW_STALLS = "mcp.broker.window.stalls";
    /** Counter: sessions ended by their expiry. */
    public static final String SESSIONS_EXPIRED = "mcp.broker.sessions.expired";
    /** Gauge: messages queued or in flight to clients, all sessions. */
    public static final String QUEUE_DEPTH = "mcp.broker.queue.depth";
    /** Gauge: the largest queue of one session. */
    public static final String QUEUE_DEPTH_MAX = "mcp.broker.queue.depth.max";
    /** Gauge: messages sent to clients and not yet acknowledged, all sessions. */
    public static final String INFLIGHT = "mcp.broker.inflight";

    /** Timer with histogram: duration of the session store's commits (SQLite). */
    public static final String STORE_COMMIT = "mcp.store.commit";

    private MetricNames() {
    }
}
