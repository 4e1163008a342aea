package org.mcpjava.cli.format;

/**
 * Names for opcodes MCP/1 gives a meaning to: the built-in operations in the reserved range
 * 0xFF00-0xFFFF (spec section 8). Application opcodes have no name.
 */
public final class OpcodeNames {
    /** Built-in ECHO: the server answers with the request's payload and codec. */
    public static final int ECHO = 0xFF01;
    /** Built-in INFO: the server answers with a JSON object describing itself. */
    public static final int INFO = 0xFF02;
    /** First opcode of the range reserved for built-in operations. */
    public static final int RESERVED_MIN = 0xFF00;

    private OpcodeNames() {
    }

    /** {@code ECHO}, {@code INFO}, {@code reserved} for other built-in opcodes, else {@code null}. */
    public static String nameOf(int opcode) {
        switch (opcode) {
            case ECHO:
                return "ECHO";
            case INFO:
                return "INFO";
            default:
                return opcode >= RESERVED_MIN && opcode <= 0xFFFF ? "reserved" : null;
        }
    }

    /** The opcode as {@code 0xff01 (ECHO)} or {@code 0x0007}. */
    public static String describe(int opcode) {
        String name = nameOf(opcode);
        return String.format("0x%04x", opcode) + (name == null ? "" : " (" + name + ")");
    }
}
