package org.mcpjava.fuzz;

import org.mcpjava.wire.ErrorCode;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An independent, deliberately naive model of MCP/1 framing (MCP-SPEC sections 2-5), used as the
 * oracle for {@link FrameDecoderFuzzTest}. It works on a plain {@code byte[]} with its own tables
 * typed in from the spec, sharing no code with {@code org.mcpjava.wire} except the {@link ErrorCode}
 * names.
 *
 * <p>Where the spec leaves a choice, the model follows what {@code FrameDecoder} documents: header
 * fields are checked as soon as their bytes are present, in wire order (magic, version, type, flags,
 * stream id); the size against the maximum once the 18 header bytes are present; then, with the whole
 * frame present, the checksum and after it the metadata layout. Metadata key 0 is rejected (it is in
 * none of the spec's key ranges) and a SUBSCRIPTION needs a non-empty filter.
 */
final class SpecModel {
    static final int HEADER = 18;
    static final int OVERHEAD = 22;

    private static final int PUBLISH = 0x20;
    private static final int PUBREL = 0x23;
    private static final int UNSUBSCRIBE = 0x2A;

    /** Stream-id rule per type (section 4): Z = 0, N = non-zero, A = any, Q = 0 iff QoS 0. */
    private static final char[] STREAM_RULE = new char[256];
    /** Smallest / largest value length per defined metadata key (section 5); -1 = undefined key. */
    private static final int[] MIN_LEN = new int[256];
    private static final int[] MAX_LEN = new int[256];

    static {
        for (int t : new int[] {0x01, 0x02, 0x03, 0x04, 0x05, 0x13}) {
            STREAM_RULE[t] = 'Z';
        }
        for (int t : new int[] {0x10, 0x11, 0x14, 0x21, 0x22, 0x23, 0x24, 0x25, 0x28, 0x29, 0x2A, 0x2B}) {
            STREAM_RULE[t] = 'N';
        }
        STREAM_RULE[0x12] = 'A';
        STREAM_RULE[PUBLISH] = 'Q';

        Arrays.fill(MIN_LEN, -1);
        Arrays.fill(MAX_LEN, -1);
        int any = 0xFFFF;
        key(0x01, 1, 1024);  // TOPIC
        key(0x02, 0, any);   // TRACEPARENT
        key(0x03, 0, any);   // TRACESTATE
        key(0x04, 4, 4);     // TIMEOUT_MS
        key(0x05, 2, 2);     // ERROR_CODE
        key(0x06, 0, any);   // ERROR_MESSAGE
        key(0x07, 4, 4);     // MESSAGE_EXPIRY_S
        key(0x10, 2, any);   // SUBSCRIPTION: QoS byte + non-empty filter
        key(0x20, 1, 256);   // CLIENT_ID
        key(0x21, 4, 4);     // KEEPALIVE_MS
        key(0x22, 4, 4);     // MAX_FRAME
        key(0x23, 2, 2);     // RECEIVE_WINDOW
        key(0x24, 0, any);   // CODECS
        key(0x25, 0, any);   // AUTH
        key(0x26, 16, 16);   // SESSION_ID
        key(0x27, 4, 4);     // SESSION_EXPIRY_S
        key(0x28, 1, 1);     // SESSION_PRESENT
        key(0x29, 0, any);   // SERVER_NAME
        key(0x2A, 4, 4);     // LAST_STREAM_ID
        key(0x2B, 4, 4);     // MAX_CONCURRENT_REQUESTS
    }

    private SpecModel() {
    }

    private static void key(int key, int min, int max) {
        MIN_LEN[key] = min;
        MAX_LEN[key] = max;
    }

    /** What a receiver must make of a byte stream: the frames in it, then an error or the bytes left over. */
    record Outcome(List<ByteBuffer> frames, ErrorCode error, int leftover) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder().append(frames.size()).append(" frame(s) [");
            for (ByteBuffer f : frames) {
                sb.append(' ').append(f.remaining()).append('B');
            }
            sb.append(" ], ");
            return (error != null ? sb.append("error ").append(error) : sb.append(leftover).append(" byte(s) left"))
                    .toString();
        }
    }

    /** Decodes {@code s} as a whole stream. */
    static Outcome decode(byte[] s, int maxFrame) {
        List<ByteBuffer> frames = new ArrayList<>();
        int pos = 0;
        while (true) {
            int avail = s.length - pos;
            ErrorCode headerError = checkHeaderPrefix(s, pos, avail);
            if (headerError != null) {
                return new Outcome(frames, headerError, avail);
            }
            if (avail < HEADER) {
                return new Outcome(frames, null, avail);
            }
            long m = u16(s, pos + 12);
            long p = u32(s, pos + 14);
            long length = OVERHEAD + m + p;
            if (length > maxFrame) {
                return new Outcome(frames, ErrorCode.FRAME_TOO_LARGE, avail);
            }
            if (avail < length) {
                return new Outcome(frames, null, avail);
            }
            int len = (int) length;
            if (crc32c(s, pos, len - 4) != (int) u32(s, pos + len - 4)) {
                return new Outcome(frames, ErrorCode.CHECKSUM_MISMATCH, avail);
            }
            if (!metadataValid(s, pos + HEADER, (int) m, u8(s, pos + 3))) {
                return new Outcome(frames, ErrorCode.PROTOCOL_ERROR, avail);
            }
            frames.add(ByteBuffer.wrap(Arrays.copyOfRange(s, pos, pos + len)).asReadOnlyBuffer());
            pos += len;
        }
    }

    /** The error for the header fields present among the {@code avail} bytes at {@code pos}, or null. */
    static ErrorCode checkHeaderPrefix(byte[] s, int pos, int avail) {
        if (avail >= 1 && u8(s, pos) != 0x4D || avail >= 2 && u8(s, pos + 1) != 0x43) {
            return ErrorCode.PROTOCOL_ERROR; // magic
        }
        if (avail >= 3 && u8(s, pos + 2) != 0x01) {
            return ErrorCode.UNSUPPORTED_VERSION;
        }
        if (avail < 4) {
            return null;
        }
        int type = u8(s, pos + 3);
        if (STREAM_RULE[type] == 0) {
            return ErrorCode.PROTOCOL_ERROR; // unknown type
        }
        if (avail < 5) {
            return null;
        }
        int flags = u8(s, pos + 4);
        int allowed = type == PUBLISH ? 0x0F : type == PUBREL ? 0x04 : 0;
        if ((flags & ~allowed) != 0 || (flags & 0x03) == 3) {
            return ErrorCode.PROTOCOL_ERROR;
        }
        if (avail < 12) {
            return null;
        }
        long streamId = u32(s, pos + 8);
        boolean legal;
        switch (STREAM_RULE[type]) {
            case 'Z':
                legal = streamId == 0;
                break;
            case 'N':
                legal = streamId != 0;
                break;
            case 'Q':
                legal = (streamId == 0) == ((flags & 0x03) == 0);
                break;
            default:
                legal = true;
        }
        return legal ? null : ErrorCode.PROTOCOL_ERROR;
    }

    /** Section 5: entries fill M exactly, legal keys and lengths, only the repeatable keys repeat. */
    static boolean metadataValid(byte[] s, int start, int m, int type) {
        boolean[] seen = new boolean[256];
        int i = start;
        int end = start + m;
        while (i < end) {
            if (end - i < 3) {
                return false;
            }
            int key = u8(s, i);
            int len = u16(s, i + 1);
            int value = i + 3;
            if (len > end - value || key == 0) {
                return false;
            }
            boolean repeatable = key == 0x10 || key == 0xFF || key == 0x01 && type == UNSUBSCRIBE;
            if (!repeatable && seen[key]) {
                return false;
            }
            seen[key] = true;
            if (key == 0xFF) {
                if (len < 1 || u8(s, value) > len - 1) {
                    return false;
                }
            } else if (MIN_LEN[key] >= 0) {
                if (len < MIN_LEN[key] || len > MAX_LEN[key]) {
                    return false;
                }
                if (key == 0x10 && u8(s, value) > 2) {
                    return false;
                }
            }
            i = value + len;
        }
        return true;
    }

    /** Whether a defined key's value is a number of the value's size (u8, u16 or u32 per section 5). */
    static boolean isNumberKey(int key) {
        return MIN_LEN[key] == MAX_LEN[key] && (MIN_LEN[key] == 1 || MIN_LEN[key] == 2 || MIN_LEN[key] == 4);
    }

    /** Whether a defined key's value is UTF-8 text (section 5). */
    static boolean isTextKey(int key) {
        switch (key) {
            case 0x01: case 0x02: case 0x03: case 0x06: case 0x20: case 0x29:
                return true;
            default:
                return false;
        }
    }

    /** Whether the key is one section 5 defines. */
    static boolean isDefinedKey(int key) {
        return MIN_LEN[key] >= 0;
    }

    /**
     * Rewrites, in place, the CRC trailer of each complete frame found by walking the length fields
     * from the start of {@code s}: lets the fuzzer get past the checksum to the metadata checks.
     */
    static void fixChecksums(byte[] s) {
        int pos = 0;
        while (s.length - pos >= OVERHEAD) {
            long length = OVERHEAD + u16(s, pos + 12) + u32(s, pos + 14);
            if (length > s.length - pos) {
                return;
            }
            int len = (int) length;
            int crc = crc32c(s, pos, len - 4);
            s[pos + len - 4] = (byte) (crc >>> 24);
            s[pos + len - 3] = (byte) (crc >>> 16);
            s[pos + len - 2] = (byte) (crc >>> 8);
            s[pos + len - 1] = (byte) crc;
            pos += len;
        }
    }

    static int crc32c(byte[] s, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(s, off, len);
        return (int) crc.getValue();
    }

    static int u8(byte[] s, int i) {
        return s[i] & 0xFF;
    }

    static int u16(byte[] s, int i) {
        return (u8(s, i) << 8) | u8(s, i + 1);
    }

    static long u32(byte[] s, int i) {
        return ((long) u16(s, i) << 16) | u16(s, i + 2);
    }
}
