package org.mcpjava.observability.metrics;

import org.mcpjava.wire.ErrorCode;

/**
 * Maps a u16 error code to a small slot and a tag value, so meters per code live in arrays and a
 * peer cannot create a series per application code: every code the spec defines has its own slot,
 * all application-defined codes share APPLICATION and reserved undefined codes share UNKNOWN.
 */
final class CodeSlots {
    /** Slot of a success (code 0 answered with RESPONSE). */
    static final int OK = 0;
    private static final int DEFINED = ErrorCode.values().length;
    private static final int APPLICATION = DEFINED;
    private static final int UNKNOWN = DEFINED + 1;
    /** Number of slots. */
    static final int COUNT = DEFINED + 2;

    private static final String[] NAMES = new String[COUNT];
    private static final String[] RESULT_NAMES = new String[COUNT];

    static {
        for (ErrorCode c : ErrorCode.values()) {
            NAMES[c.code()] = c.name();
            RESULT_NAMES[c.code()] = c.name();
        }
        NAMES[APPLICATION] = "APPLICATION";
        NAMES[UNKNOWN] = "UNKNOWN";
        RESULT_NAMES[APPLICATION] = "APPLICATION";
        RESULT_NAMES[UNKNOWN] = "UNKNOWN";
        RESULT_NAMES[OK] = "OK";
    }

    private CodeSlots() {
    }

    /** The slot of {@code code}. */
    static int slot(int code) {
        if (code >= 0 && code < DEFINED) {
            return code;
        }
        return code >= ErrorCode.APPLICATION_MIN && code <= 0xFFFF ? APPLICATION : UNKNOWN;
    }

    /** The error name of a slot: NO_ERROR for 0 (a connection closed normally). */
    static String errorName(int slot) {
        return NAMES[slot];
    }

    /** The result name of a slot: OK for 0 (a request answered with RESPONSE). */
    static String resultName(int slot) {
        return RESULT_NAMES[slot];
    }
}
