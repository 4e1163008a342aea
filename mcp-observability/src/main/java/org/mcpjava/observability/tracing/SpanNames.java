package org.mcpjava.observability.tracing;

import io.opentelemetry.api.common.AttributeKey;

import java.util.Locale;

/** Span names and attribute keys, shared by both sides so the two ends of a call read alike. */
final class SpanNames {
    static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<String> SESSION_ID = AttributeKey.stringKey("mcp.session.id");
    static final AttributeKey<Long> ERROR_CODE = AttributeKey.longKey("mcp.error.code");
    static final AttributeKey<String> ERROR_NAME = AttributeKey.stringKey("mcp.error.name");
    static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> MESSAGING_OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<Long> QOS = AttributeKey.longKey("mcp.qos");
    static final String SYSTEM = "mcp";

    private SpanNames() {
    }

    /** {@code ECHO}, {@code INFO} for the built-ins, else {@code 0x0001}. */
    static String method(int opcode) {
        switch (opcode) {
            case 0xFF01:
                return "ECHO";
            case 0xFF02:
                return "INFO";
            default:
                return String.format(Locale.ROOT, "0x%04X", opcode);
        }
    }

    /** The span name of a request or notification with {@code opcode}, on either side. */
    static String request(int opcode) {
        return "mcp/" + method(opcode);
    }
}
