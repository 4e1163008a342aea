package org.mcpjava.observability.tracing;

/**
 * Span names and {@code rpc.method} values by opcode, built on first use and then found by index,
 * so a traced request formats no strings. Thread-safe: a racing first use builds equal strings.
 */
final class OpcodeNames {
    private final String[] spanNames = new String[0x10000];
    private final String[] methods = new String[0x10000];

    /** {@code mcp/ECHO}, {@code mcp/0x0001}. */
    String spanName(int opcode) {
        if ((opcode & 0xFFFF) != opcode) {
            return SpanNames.request(opcode);
        }
        String n = spanNames[opcode];
        if (n == null) {
            n = SpanNames.request(opcode);
            spanNames[opcode] = n;
        }
        return n;
    }

    /** {@code ECHO}, {@code 0x0001}. */
    String method(int opcode) {
        if ((opcode & 0xFFFF) != opcode) {
            return SpanNames.method(opcode);
        }
        String m = methods[opcode];
        if (m == null) {
            m = SpanNames.method(opcode);
            methods[opcode] = m;
        }
        return m;
    }
}
