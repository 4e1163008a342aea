package org.mcpjava.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.Flags;
import org.mcpjava.wire.FrameDecoder;
import org.mcpjava.wire.FrameException;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataCursor;
import org.mcpjava.wire.MetadataKey;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Fuzz test of {@link FrameDecoder}, the validating MCP/1 frame decoder (MCP-SPEC sections 2-5).
 *
 * <h2>Input</h2>
 * The first 5 bytes of a fuzz input are a control block, the rest is the byte stream:
 * <pre>
 *  byte 0     options: bit 0 rewrite the CRC trailer of every complete frame before decoding (lets the
 *             fuzzer past the checksum into the metadata rules); bit 1 chunks in heap (else direct)
 *             buffers; bit 2 release each frame as soon as it is checked (else hold all frames until
 *             the end of the stream); bits 3-4 how the round trip writes the payload; bit 5 start the
 *             re-encoded frame at a non-zero writer index
 *  bytes 1-2  first cut, bytes 3-4 second cut (u16, modulo stream length + 1): split the stream into
 *             up to three chunks
 * </pre>
 * Inputs shorter than 5 bytes are all control (empty stream).
 *
 * <h2>What one input checks</h2>
 * The stream is decoded four ways, each a loop of {@code decode} calls until it returns null or
 * throws: whole, in an unpooled heap buffer (CRC over the backing array); whole, in a pooled direct
 * buffer (CRC over one NIO buffer); whole, in a composite of the chunks (CRC over several NIO
 * buffers); and chunk by chunk into a cumulation buffer merged the way Netty's
 * {@code ByteToMessageDecoder} does it. For every {@code decode} call:
 * <ul>
 *   <li>the result (frame, null, or the {@link FrameException}'s {@link ErrorCode}) is exactly what
 *       the independent {@link SpecModel} says for the bytes buffered at that moment; an oversize
 *       frame is rejected as soon as its 18 header bytes are in;</li>
 *   <li>a frame is exactly the bytes it was cut from and the reader index moved past it; null and
 *       exceptions consume nothing and retain nothing; {@code FrameException} is the only exception
 *       allowed (anything else escapes and is a finding);</li>
 *   <li>every {@link FrameHeader} accessor agrees with the raw bytes and moves no index;
 *       {@link MetadataCursor} walks exactly the entries (also over a re-based metadata slice),
 *       including named headers; {@link Metadata} point lookups find the first entry of each key;
 *       {@code headerNameEquals} agrees with comparing UTF-8 bytes;</li>
 *   <li>round trip: {@link FrameWriter} re-encodes the frame from its decoded fields (typed calls
 *       where the value is well-formed, raw bytes otherwise) to the identical bytes;</li>
 *   <li>at the end of the stream {@code checkEndOfStream} throws PROTOCOL_ERROR exactly when bytes are
 *       left over, and consumes nothing;</li>
 *   <li>all four ways give the same frames and the same outcome.</li>
 * </ul>
 * <b>Leaks.</b> After every input each frame and every buffer the test allocated must have a
 * reference count of 0, and the input buffer must be back to 1 once the frames are released (a
 * missing or extra release fails the input that caused it). As a safety net the run uses paranoid
 * leak detection ({@code io.netty.leakDetection.level=paranoid}, set for every module's tests by the
 * parent pom), with {@link LeakRecorder} turning any leak Netty reports into a failure.
 *
 * <b>Hangs.</b> libFuzzer's per-input timeout covers generated inputs; a watchdog in this class
 * ({@code mcp.fuzz.watchdogSeconds}, default 60) also covers replayed seeds: it prints the input and
 * the stack to the build log and stops the JVM, which fails the build.
 *
 * <h2>Running</h2>
 * <ul>
 *   <li>Regression (every build): {@code ./mvnw test -pl mcp-fuzz} runs each file of the seed corpus
 *       {@code src/test/resources/org/mcpjava/fuzz/FrameDecoderFuzzTestInputs/decode/} as one test
 *       invocation (Jazzer's convention: {@code <ClassName>Inputs/<methodName>/} next to the class).
 *       Seeds {@code spec-*} are the four test vectors of MCP-SPEC section 10 behind a control block;
 *       the others are malformed or edge-case streams named after what they exercise. Once a finding
 *       is fixed, its input is added there. Jazzer's own output goes to
 *       {@code target/surefire-reports/*-output.txt}.</li>
 *   <li>Fuzzing: {@code .ci/fuzz.sh} ({@code FUZZ_SECONDS}, default 60; {@code FUZZ_INPUT_TIMEOUT},
 *       default 10) builds mcp-wire from the working tree and runs this test alone with
 *       {@code JAZZER_FUZZ=1}, {@code -Djazzer.max_duration} (which overrides
 *       {@code @FuzzTest(maxDuration)}) and a per-input timeout. It exits non-zero on a crash, hang or
 *       leak. The generated corpus, findings and log go to {@code mcp-fuzz/target/jazzer/} (set in
 *       the pom through {@code jazzer.internal.basedir}; without it Jazzer would write findings into
 *       the seed directory). The dictionary {@code FrameDecoderFuzzTest.dict} next to this class
 *       holds the format's magic, type, length and key bytes and UTF-8 edge cases.</li>
 * </ul>
 */
class FrameDecoderFuzzTest {
    /** The MAX_FRAME under test: small, so that FRAME_TOO_LARGE is easy to reach. */
    static final int MAX_FRAME = 64 * 1024;
    static final int CONTROL_LENGTH = 5;

    static final int OPT_FIX_CRC = 1;
    static final int OPT_HEAP_CHUNKS = 1 << 1;
    static final int OPT_RELEASE_EAGERLY = 1 << 2;
    static final int OPT_PAYLOAD_SHIFT = 3;
    static final int OPT_WRITER_OFFSET = 1 << 5;

    private static final Set<ErrorCode> FRAMING_ERRORS = EnumSet.of(ErrorCode.PROTOCOL_ERROR,
            ErrorCode.UNSUPPORTED_VERSION, ErrorCode.FRAME_TOO_LARGE, ErrorCode.CHECKSUM_MISMATCH);

    static {
        // Before anything touches a ByteBuf: the ByteBuf leak detector is created once, on first use.
        LeakRecorder.install();
    }

    private static final FrameDecoder DECODER = new FrameDecoder(MAX_FRAME);
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /**
     * Seconds one input may run before the watchdog stops the JVM (system property
     * {@code mcp.fuzz.watchdogSeconds}, default 60). libFuzzer's per-input timeout only covers
     * inputs the fuzzer generates; this also covers replays of the seed corpus, in regression mode and
     * before fuzzing starts. {@code .ci/fuzz.sh} sets it above libFuzzer's timeout, so that libFuzzer,
     * which saves the input, catches a hang first.
     */
    private static final long WATCHDOG_NANOS =
            TimeUnit.SECONDS.toNanos(Long.getLong("mcp.fuzz.watchdogSeconds", 60));
    private static volatile long inputStartedAt;
    private static volatile byte[] currentInput;
    private static volatile Thread inputThread;

    static {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fuzz-input-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.scheduleWithFixedDelay(FrameDecoderFuzzTest::checkInputTime, 1, 1, TimeUnit.SECONDS);
    }

    private final FrameWriter writer = new FrameWriter();
    private final MetadataCursor cursor = new MetadataCursor();
    private final MetadataCursor sliceCursor = new MetadataCursor();

    @DictionaryFile(resourcePath = "FrameDecoderFuzzTest.dict")
    @FuzzTest(maxDuration = "5m") // .ci/fuzz.sh overrides it with -Djazzer.max_duration
    void decode(byte[] input) {
        currentInput = input;
        inputThread = Thread.currentThread();
        inputStartedAt = System.nanoTime();
        try {
            decodeFourWays(input);
        } finally {
            inputStartedAt = 0;
        }
    }

    private void decodeFourWays(byte[] input) {
        LeakRecorder.assertNoLeaks();
        int control = Math.min(CONTROL_LENGTH, input.length);
        int options = control > 0 ? input[0] & 0xFF : 0;
        int cut1 = control >= 3 ? SpecModel.u16(input, 1) : 0;
        int cut2 = control >= 5 ? SpecModel.u16(input, 3) : 0;
        byte[] stream = Arrays.copyOfRange(input, control, input.length);
        if ((options & OPT_FIX_CRC) != 0) {
            SpecModel.fixChecksums(stream);
        }
        int a = cut1 % (stream.length + 1);
        int b = cut2 % (stream.length + 1);
        int[] bounds = {0, Math.min(a, b), Math.max(a, b), stream.length};

        SpecModel.Outcome expected = SpecModel.decode(stream, MAX_FRAME);

        List<ByteBuf> owned = new ArrayList<>();
        ByteBuf heap = track(owned, Unpooled.buffer(stream.length));
        heap.writeBytes(stream);
        assertSameOutcome("unpooled heap buffer", expected, decodeWhole(heap, owned, options));

        ByteBuf direct = track(owned, ALLOC.directBuffer(stream.length));
        direct.writeBytes(stream);
        assertSameOutcome("pooled direct buffer", expected, decodeWhole(direct, owned, options));

        CompositeByteBuf composite = track(owned, ALLOC.compositeDirectBuffer(3));
        for (int i = 0; i < 3; i++) {
            if (bounds[i + 1] > bounds[i]) {
                ByteBuf part = ALLOC.directBuffer(bounds[i + 1] - bounds[i]);
                part.writeBytes(stream, bounds[i], bounds[i + 1] - bounds[i]);
                composite.addComponent(true, part);
            }
        }
        assertSameOutcome("composite buffer", expected, decodeWhole(composite, owned, options));

        assertSameOutcome("chunks " + Arrays.toString(bounds), expected,
                decodeChunked(stream, bounds, owned, options));

        for (ByteBuf buf : owned) {
            check(buf.refCnt() == 0, "buffer or frame not released at the end of the input: refCnt " + buf.refCnt());
        }
        LeakRecorder.assertNoLeaks();
    }

    /** Watchdog: an input running far too long is a hang; report it and stop the JVM (the build fails). */
    private static void checkInputTime() {
        long started = inputStartedAt;
        if (started == 0 || System.nanoTime() - started < WATCHDOG_NANOS) {
            return;
        }
        StringBuilder report = new StringBuilder("HANG: one input of FrameDecoderFuzzTest ran for more than ")
                .append(TimeUnit.NANOSECONDS.toSeconds(WATCHDOG_NANOS)).append(" s; input (hex): ")
                .append(ByteBufUtil.hexDump(currentInput)).append("\nstack of the fuzzing thread:");
        Thread thread = inputThread;
        for (StackTraceElement frame : thread == null ? new StackTraceElement[0] : thread.getStackTrace()) {
            report.append("\n\tat ").append(frame);
        }
        // Straight to file descriptor 2, unbuffered: System.err goes through surefire, which halt() cuts off.
        PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        stderr.println(report);
        stderr.flush();
        Runtime.getRuntime().halt(70);
    }

    @AfterAll
    static void noLeakReported() throws InterruptedException {
        LeakRecorder.flush();
        LeakRecorder.assertNoLeaks();
    }

    /** Decodes a stream buffered whole; releases {@code in} and every frame. */
    private SpecModel.Outcome decodeWhole(ByteBuf in, List<ByteBuf> owned, int options) {
        List<ByteBuf> live = new ArrayList<>();
        List<ByteBuffer> frames = new ArrayList<>();
        try {
            ErrorCode error = drain(in, live, frames, owned, options);
            int leftover = in.readableBytes();
            if (error == null) {
                checkEndOfStream(in);
            }
            checkFramesIntact(live, frames);
            releaseOnce(live);
            check(in.refCnt() == 1, "input buffer refCnt " + in.refCnt() + " after all frames were released, expected 1");
            return new SpecModel.Outcome(frames, error, leftover);
        } finally {
            releaseOnce(live);
            releaseFully(in);
        }
    }

    /**
     * Feeds the chunks one by one into a cumulation buffer, merging like Netty's
     * {@code ByteToMessageDecoder.MERGE_CUMULATOR}, and decodes after each chunk.
     */
    private SpecModel.Outcome decodeChunked(byte[] stream, int[] bounds, List<ByteBuf> owned, int options) {
        boolean heap = (options & OPT_HEAP_CHUNKS) != 0;
        boolean releaseEagerly = (options & OPT_RELEASE_EAGERLY) != 0;
        List<ByteBuf> live = new ArrayList<>();
        List<ByteBuffer> frames = new ArrayList<>();
        ByteBuf cumulation = null;
        try {
            ErrorCode error = null;
            for (int i = 0; i < 3 && error == null; i++) {
                int length = bounds[i + 1] - bounds[i];
                ByteBuf chunk = track(owned, heap ? ALLOC.heapBuffer(length) : ALLOC.directBuffer(length));
                chunk.writeBytes(stream, bounds[i], length);
                cumulation = cumulate(cumulation, chunk, heap, owned);
                error = drain(cumulation, live, frames, owned, options);
                if (releaseEagerly) {
                    releaseOnce(live);
                }
                if (cumulation.refCnt() == 1) {
                    cumulation.discardSomeReadBytes(); // as ByteToMessageDecoder does between reads
                }
                // Frames still held must not see the cumulation being appended to or discarded.
                checkFramesIntact(live, frames.subList(frames.size() - live.size(), frames.size()));
            }
            int leftover = cumulation.readableBytes();
            if (error == null) {
                checkEndOfStream(cumulation);
            }
            releaseOnce(live);
            check(cumulation.refCnt() == 1, "cumulation refCnt " + cumulation.refCnt()
                    + " after all frames were released, expected 1");
            return new SpecModel.Outcome(frames, error, leftover);
        } finally {
            releaseOnce(live);
            if (cumulation != null) {
                releaseFully(cumulation);
            }
        }
    }

    private static ByteBuf cumulate(ByteBuf cumulation, ByteBuf in, boolean heap, List<ByteBuf> owned) {
        if (cumulation == null) {
            return in;
        }
        if (!cumulation.isReadable() && in.isContiguous()) {
            cumulation.release();
            return in;
        }
        int required = in.readableBytes();
        if (required > cumulation.maxWritableBytes()
                || required > cumulation.maxFastWritableBytes() && cumulation.refCnt() > 1) {
            // Frames still hold slices of the old cumulation: copy into a new buffer instead of growing it.
            int size = cumulation.readableBytes() + required;
            ByteBuf bigger = track(owned, heap ? ALLOC.heapBuffer(size) : ALLOC.directBuffer(size));
            bigger.writeBytes(cumulation).writeBytes(in);
            cumulation.release();
            in.release();
            return bigger;
        }
        cumulation.writeBytes(in);
        in.release();
        return cumulation;
    }

    /** Calls {@code decode} until it returns null or throws; returns the error code or null. */
    private ErrorCode drain(ByteBuf in, List<ByteBuf> live, List<ByteBuffer> frames, List<ByteBuf> owned,
                            int options) {
        while (true) {
            int readerIndex = in.readerIndex();
            int writerIndex = in.writerIndex();
            int refCnt = in.refCnt();
            byte[] buffered = ByteBufUtil.getBytes(in);
            SpecModel.Outcome model = SpecModel.decode(buffered, MAX_FRAME);
            ByteBuf frame;
            try {
                frame = DECODER.decode(in);
            } catch (FrameException e) {
                check(FRAMING_ERRORS.contains(e.errorCode()), "unexpected error code " + e.errorCode());
                check(model.frames().isEmpty() && model.error() == e.errorCode(), "decoder threw " + e.getMessage()
                        + " on " + buffered.length + " buffered bytes; the spec model expected " + model);
                check(in.readerIndex() == readerIndex && in.writerIndex() == writerIndex,
                        "decoder moved the indices before throwing");
                check(in.refCnt() == refCnt, "decoder retained the input before throwing");
                return e.errorCode();
            }
            if (frame == null) {
                check(model.frames().isEmpty() && model.error() == null, "decoder wants more bytes after "
                        + buffered.length + " buffered bytes; the spec model expected " + model);
                check(in.readerIndex() == readerIndex && in.writerIndex() == writerIndex,
                        "decoder moved the indices returning null");
                check(in.refCnt() == refCnt, "decoder retained the input returning null");
                return null;
            }
            live.add(track(owned, frame));
            byte[] raw = ByteBufUtil.getBytes(frame);
            frames.add(ByteBuffer.wrap(raw).asReadOnlyBuffer());
            check(!model.frames().isEmpty() && model.frames().get(0).equals(ByteBuffer.wrap(raw)),
                    "decoder returned a " + raw.length + "-byte frame; the spec model expected " + model);
            check(in.readerIndex() == readerIndex + raw.length && in.writerIndex() == writerIndex,
                    "decoder did not move the reader index exactly past the frame");
            inspect(frame, raw, owned, options);
        }
    }

    private static void checkEndOfStream(ByteBuf in) {
        int readerIndex = in.readerIndex();
        int leftover = in.readableBytes();
        try {
            DECODER.checkEndOfStream(in);
            check(leftover == 0, "checkEndOfStream accepted " + leftover + " leftover bytes");
        } catch (FrameException e) {
            check(leftover > 0, "checkEndOfStream threw on an empty buffer: " + e.getMessage());
            check(e.errorCode() == ErrorCode.PROTOCOL_ERROR, "checkEndOfStream threw " + e.errorCode());
        }
        check(in.readerIndex() == readerIndex && in.readableBytes() == leftover, "checkEndOfStream consumed bytes");
    }

    /** Frames held while more input was decoded must still hold their own bytes. */
    private static void checkFramesIntact(List<ByteBuf> live, List<ByteBuffer> copies) {
        for (int i = 0; i < live.size(); i++) {
            check(live.get(i).nioBuffer().equals(copies.get(i)), "a held frame changed after later decoding");
        }
    }

    // ---- one decoded frame ----

    private void inspect(ByteBuf frame, byte[] raw, List<ByteBuf> owned, int options) {
        int readerIndex = frame.readerIndex();
        int writerIndex = frame.writerIndex();
        int m = SpecModel.u16(raw, 12);
        int p = (int) SpecModel.u32(raw, 14);

        check(raw.length == SpecModel.OVERHEAD + m + p, "frame length is not 22 + M + P");
        FrameType type = FrameHeader.type(frame);
        check(type != null && type.wire() == SpecModel.u8(raw, 3), "type " + type);
        int flags = FrameHeader.flags(frame);
        check(flags == SpecModel.u8(raw, 4), "flags");
        check((flags & ~type.allowedFlags()) == 0 && type.isLegalStreamId(FrameHeader.streamId(frame), flags),
                "decoded frame breaks FrameType's own rules");
        check(FrameHeader.codec(frame) == SpecModel.u8(raw, 5), "codec");
        check(FrameHeader.opcode(frame) == SpecModel.u16(raw, 6), "opcode");
        check(FrameHeader.streamId(frame) == SpecModel.u32(raw, 8), "stream id");
        check(FrameHeader.metadataLength(frame) == m, "metadataLength");
        check(FrameHeader.payloadLength(frame) == p, "payloadLength");
        check(FrameHeader.frameLength(frame) == raw.length, "frameLength");
        check(FrameHeader.metadataIndex(frame) == readerIndex + SpecModel.HEADER, "metadataIndex");
        check(FrameHeader.payloadIndex(frame) == readerIndex + SpecModel.HEADER + m, "payloadIndex");
        check(FrameHeader.checksum(frame) == (int) SpecModel.u32(raw, raw.length - 4), "checksum");
        check(FrameHeader.metadata(frame).nioBuffer().equals(ByteBuffer.wrap(raw, SpecModel.HEADER, m)), "metadata()");
        check(FrameHeader.payload(frame).nioBuffer().equals(ByteBuffer.wrap(raw, SpecModel.HEADER + m, p)),
                "payload()");
        int refCnt = frame.refCnt();
        ByteBuf retained = FrameHeader.retainedPayload(frame);
        try {
            check(retained.nioBuffer().equals(ByteBuffer.wrap(raw, SpecModel.HEADER + m, p)), "retainedPayload()");
        } finally {
            retained.release();
        }
        check(frame.refCnt() == refCnt, "retainedPayload() + release() changed the frame's refCnt");
        String described = FrameHeader.describe(frame);
        check(described.startsWith(type.name() + " "), "describe(): " + described);
        check(!Flags.toString(flags).isEmpty() && !Codecs.nameOf(FrameHeader.codec(frame)).isEmpty(), "names");

        walkMetadata(frame, raw);
        roundTrip(frame, raw, type, owned, options);
        check(frame.readerIndex() == readerIndex && frame.writerIndex() == writerIndex, "an accessor moved an index");
    }

    private void walkMetadata(ByteBuf frame, byte[] raw) {
        int base = frame.readerIndex();
        int m = SpecModel.u16(raw, 12);
        int[] first = new int[256];
        Arrays.fill(first, -1);
        List<int[]> headers = new ArrayList<>(); // {nameStart, nameLength, valueStart, valueLength} in raw
        boolean allNamesUtf8 = true;

        cursor.reset(frame);
        sliceCursor.reset(FrameHeader.metadata(frame), 0, m);
        int pos = SpecModel.HEADER;
        while (cursor.next()) {
            check(sliceCursor.next(), "cursor over the metadata slice ended early");
            int key = SpecModel.u8(raw, pos);
            int length = SpecModel.u16(raw, pos + 1);
            int value = pos + 3;
            check(cursor.key() == key && cursor.valueLength() == length && cursor.valueIndex() == base + value,
                    "cursor entry at offset " + pos);
            check(sliceCursor.key() == key && sliceCursor.valueLength() == length
                    && sliceCursor.valueIndex() == value - SpecModel.HEADER, "slice cursor entry at offset " + pos);
            check(cursor.value().nioBuffer().equals(ByteBuffer.wrap(raw, value, length)), "cursor value()");
            check(cursor.valueAsString().equals(new String(raw, value, length, StandardCharsets.UTF_8)),
                    "valueAsString()");
            if (length == 1 || length == 2 || length == 4) {
                check(cursor.valueAsNumber() == number(raw, value, length), "valueAsNumber()");
            } else {
                try {
                    cursor.valueAsNumber();
                    check(false, "valueAsNumber() of a " + length + "-byte value did not throw");
                } catch (IllegalStateException expected) {
                    // documented
                }
            }
            if (first[key] < 0) {
                first[key] = value;
            }
            if (key == MetadataKey.NAMED_HEADER) {
                check(cursor.isNamedHeader(), "isNamedHeader()");
                int nameLength = SpecModel.u8(raw, value);
                int[] h = {value + 1, nameLength, value + 1 + nameLength, length - 1 - nameLength};
                headers.add(h);
                check(cursor.headerName().equals(new String(raw, h[0], h[1], StandardCharsets.UTF_8)), "headerName()");
                check(cursor.headerValue().nioBuffer().equals(ByteBuffer.wrap(raw, h[2], h[3])), "headerValue()");
                allNamesUtf8 &= utf8(raw, h[0], h[1]) != null;
            } else {
                check(!cursor.isNamedHeader(), "isNamedHeader() on key " + key);
            }
            pos = value + length;
        }
        check(!sliceCursor.next(), "cursor over the metadata slice has more entries");
        check(pos == SpecModel.HEADER + m, "entries end at " + pos + ", not at 18 + M");
        check(cursor.key() == -1, "key() after the last entry");

        // Every header name compared with every header's name, and with the Latin-1 reading of its bytes.
        for (int i = 0; i < headers.size(); i++) {
            int[] h = headers.get(i);
            byte[] nameBytes = Arrays.copyOfRange(raw, h[0], h[0] + h[1]);
            String name = utf8(raw, h[0], h[1]);
            List<String> candidates = new ArrayList<>();
            candidates.add(new String(nameBytes, StandardCharsets.ISO_8859_1));
            for (int[] other : headers) {
                String otherName = utf8(raw, other[0], other[1]);
                if (otherName != null) {
                    candidates.add(otherName);
                }
            }
            if (name == null) {
                continue; // not UTF-8: what "equals" means is not defined
            }
            cursor.reset(frame);
            for (int n = 0; n <= i; n++) {
                advanceToHeader(cursor);
            }
            for (String candidate : candidates) {
                boolean expected = Arrays.equals(nameBytes, candidate.getBytes(StandardCharsets.UTF_8));
                check(cursor.headerNameEquals(candidate) == expected, "headerNameEquals(\"" + candidate
                        + "\") on header named \"" + name + "\" " + Arrays.toString(nameBytes) + " is not " + expected);
            }
            if (allNamesUtf8) {
                int match = -1;
                for (int j = 0; j < headers.size() && match < 0; j++) {
                    int[] o = headers.get(j);
                    if (Arrays.equals(raw, o[0], o[0] + o[1], nameBytes, 0, nameBytes.length)) {
                        match = j;
                    }
                }
                int[] o = headers.get(match);
                check(new String(raw, o[2], o[3], StandardCharsets.UTF_8).equals(Metadata.header(frame, name)),
                        "Metadata.header(\"" + name + "\") is not the first such header's value");
            }
        }

        // Point lookups: every key present, every defined key, and a few absent ones of each range.
        boolean[] lookUp = new boolean[256];
        for (int key = 0; key < 256; key++) {
            lookUp[key] = first[key] >= 0 || SpecModel.isDefinedKey(key);
        }
        lookUp[0x00] = lookUp[0x7F] = lookUp[0x80] = lookUp[0xFE] = lookUp[0xFF] = true;
        for (int key = 0; key < 256; key++) {
            if (!lookUp[key]) {
                continue;
            }
            int index = Metadata.find(frame, key);
            check(index == (first[key] < 0 ? -1 : base + first[key]), "Metadata.find(" + key + ")");
            if (first[key] < 0) {
                check(Metadata.value(frame, key) == null && Metadata.bytes(frame, key) == null, "absent key " + key);
            } else {
                int length = SpecModel.u16(raw, first[key] - 2);
                ByteBuffer expected = ByteBuffer.wrap(raw, first[key], length);
                check(Metadata.value(frame, key).nioBuffer().equals(expected), "Metadata.value(" + key + ")");
                check(ByteBuffer.wrap(Metadata.bytes(frame, key)).equals(expected), "Metadata.bytes(" + key + ")");
            }
        }
        for (MetadataKey key : MetadataKey.values()) {
            int wire = key.wire();
            boolean numeric = key.kind() == MetadataKey.Kind.U8 || key.kind() == MetadataKey.Kind.U16
                    || key.kind() == MetadataKey.Kind.U32;
            check(numeric == SpecModel.isNumberKey(wire), key + ": kind " + key.kind() + " differs from the spec");
            check((key.kind() == MetadataKey.Kind.UTF8) == SpecModel.isTextKey(wire), key + ": text kind");
            check(Metadata.has(frame, key) == (first[wire] >= 0), "Metadata.has(" + key + ")");
            if (numeric) {
                long expected = first[wire] < 0 ? -1 : number(raw, first[wire], SpecModel.u16(raw, first[wire] - 2));
                check(Metadata.number(frame, key, -1) == expected, "Metadata.number(" + key + ")");
            } else if (key.kind() == MetadataKey.Kind.UTF8) {
                String expected = first[wire] < 0 ? null
                        : new String(raw, first[wire], SpecModel.u16(raw, first[wire] - 2), StandardCharsets.UTF_8);
                String actual = Metadata.string(frame, key);
                check(expected == null ? actual == null : expected.equals(actual), "Metadata.string(" + key + ")");
            }
        }
    }

    private static void advanceToHeader(MetadataCursor c) {
        while (c.next()) {
            if (c.isNamedHeader()) {
                return;
            }
        }
        throw new AssertionError("named header vanished on a second walk");
    }

    /** Re-encodes the frame with FrameWriter from the decoded fields; the bytes must be identical. */
    private void roundTrip(ByteBuf frame, byte[] raw, FrameType type, List<ByteBuf> owned, int options) {
        int offset = (options & OPT_WRITER_OFFSET) != 0 ? 3 : 0;
        ByteBuf out = track(owned, (options & OPT_HEAP_CHUNKS) != 0 ? ALLOC.heapBuffer() : ALLOC.directBuffer());
        try {
            out.writeZero(offset);
            writer.begin(out, type, FrameHeader.flags(frame), FrameHeader.codec(frame), FrameHeader.opcode(frame),
                    FrameHeader.streamId(frame));
            MetadataCursor c = cursor.reset(frame);
            int entry = 0;
            while (c.next()) {
                writeEntry(c, raw, c.valueIndex() - frame.readerIndex(), entry++);
            }
            ByteBuf payload = FrameHeader.payload(frame);
            switch ((options >>> OPT_PAYLOAD_SHIFT) & 3) {
                case 0:
                    writer.payload(payload);
                    break;
                case 1:
                    writer.payloadOut().writeBytes(payload, payload.readerIndex(), payload.readableBytes());
                    break;
                default:
                    writer.payload(ByteBufUtil.getBytes(payload));
                    writer.payloadOut(); // a second call continues the same payload
                    break;
            }
            check(writer.finish() == out, "finish() returned another buffer");
            check(out.readableBytes() == offset + raw.length && out.nioBuffer(offset, raw.length).equals(ByteBuffer.wrap(raw)),
                    "re-encoded " + type + " differs:\n  decoded " + ByteBufUtil.hexDump(raw)
                            + "\n  written " + ByteBufUtil.hexDump(out, offset, out.readableBytes() - offset));
            check(writer.type() == null, "writer not reset by finish()");
        } finally {
            out.release();
        }
    }

    private void writeEntry(MetadataCursor c, byte[] raw, int value, int entry) {
        int key = c.key();
        int length = c.valueLength();
        MetadataKey known = MetadataKey.fromWire(key);
        if (key == MetadataKey.NAMED_HEADER) {
            int nameLength = SpecModel.u8(raw, value);
            String name = utf8(raw, value + 1, nameLength);
            String headerValue = utf8(raw, value + 1 + nameLength, length - 1 - nameLength);
            if (name != null && headerValue != null) {
                writer.header(name, headerValue);
                return;
            }
        } else if (known != null && SpecModel.isNumberKey(key)) {
            switch (length) {
                case 1:
                    writer.u8(known, (int) c.valueAsNumber());
                    return;
                case 2:
                    writer.u16(known, (int) c.valueAsNumber());
                    return;
                default:
                    writer.u32(known, c.valueAsNumber());
                    return;
            }
        } else if (known == MetadataKey.SUBSCRIPTION) {
            String filter = utf8(raw, value + 1, length - 1);
            if (filter != null) {
                writer.subscription(SpecModel.u8(raw, value), filter);
                return;
            }
        } else if (SpecModel.isTextKey(key)) {
            String text = utf8(raw, value, length);
            if (text != null) {
                writer.utf8(known, text);
                return;
            }
        }
        if (entry % 2 == 0) {
            writer.bytes(key, c.value());
        } else {
            writer.bytes(key, Arrays.copyOfRange(raw, value, value + length));
        }
    }

    // ---- helpers ----

    /** Strict UTF-8 decoding, or null if the bytes are not well-formed UTF-8. */
    static String utf8(byte[] b, int offset, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, offset, length))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static long number(byte[] raw, int index, int length) {
        switch (length) {
            case 1:
                return SpecModel.u8(raw, index);
            case 2:
                return SpecModel.u16(raw, index);
            default:
                return SpecModel.u32(raw, index);
        }
    }

    private static <T extends ByteBuf> T track(List<ByteBuf> owned, T buf) {
        owned.add(buf);
        return buf;
    }

    /**
     * Releases the one reference the decoder handed over with each frame, exactly once. (Whether a
     * frame's refCnt then reads 0 depends on the buffer: slices of unpooled buffers share their
     * parent's count; so that is checked once the input is released too, for all buffers.)
     */
    private static void releaseOnce(List<ByteBuf> live) {
        for (ByteBuf frame : live) {
            check(frame.refCnt() > 0, "frame already released by someone else");
            frame.release();
        }
        live.clear();
    }

    private static void releaseFully(ByteBuf buf) {
        if (buf.refCnt() > 0) {
            buf.release(buf.refCnt());
        }
    }

    /** Same frames, same error; the same bytes left over if there is no error (after one, chunks may be missing). */
    private static void assertSameOutcome(String how, SpecModel.Outcome expected, SpecModel.Outcome actual) {
        boolean same = expected.frames().equals(actual.frames()) && expected.error() == actual.error()
                && (expected.error() != null || expected.leftover() == actual.leftover());
        check(same, "decoding from a " + how + " gave " + actual + ", expected " + expected);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
