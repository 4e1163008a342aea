package org.mcpjava.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.Crc32c;
import org.mcpjava.wire.FrameDecoder;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.MetadataKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one MCP/1 frame through the wire codec: a REQUEST with one TIMEOUT_MS metadata entry and
 * a payload of {@code payloadSize} bytes, in buffers from {@link PooledByteBufAllocator} (direct by
 * default, the case of a Netty channel; heap for comparison).
 *
 * <ul>
 *   <li>{@link #encode} - {@link FrameWriter} (one reused instance) writes the frame into a freshly
 *       allocated pooled buffer, which is then released.</li>
 *   <li>{@link #decode} - {@link FrameDecoder#decode} of a frame encoded once in setup, reading two
 *       header fields and the payload slice, then releasing the decoded frame.</li>
 *   <li>{@link #roundTrip} - both: encode, decode, read, release.</li>
 *   <li>{@link #encodeBatched} / {@link #roundTripBatched} - the same with the frame appended to a
 *       reused buffer, as a connection batches its small frames (one buffer per read, not one per
 *       frame): the codec's own cost without the pooled allocation.</li>
 *   <li>{@link #crc32c} - {@link Crc32c#compute} alone over {@code payloadSize} bytes, to show its
 *       share of the above.</li>
 *   <li>{@link #allocateRelease} - a pooled buffer of the frame's size allocated and released, the
 *       floor under {@link #encode} that the codec cannot remove.</li>
 * </ul>
 *
 * <p>Every benchmark returns a value derived from the bytes it produced or read (JMH sinks return
 * values into a {@link Blackhole}), so the JIT cannot drop the work. Setup (payload bytes, the
 * pre-encoded input) runs once per trial and is not measured.
 *
 * <p>The forked JVM ({@link Fork#jvmArgsAppend}) runs with leak detection {@code disabled} (at the
 * default level Netty samples about one buffer in 128 and records its stack, an allocation and a
 * cost production does not pay) and with {@link EventLoopThreadExecutor}, so the benchmark threads
 * are event-loop threads with Netty's per-thread buffer caches and recyclers. A command-line
 * {@code -jvmArgsAppend} replaces these arguments: restate them, or drop the executor ones on
 * purpose to measure a plain application thread.
 *
 * <p>Allocation is read from {@code -prof gc} ({@code gc.alloc.rate.norm}, bytes per op). The
 * pooled buffer and the decoder's retained slice come from Netty's per-thread caches and
 * recyclers, so the steady state should allocate nothing on the Java heap.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        "-Dio.netty.leakDetection.level=disabled",
        "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=org.mcpjava.bench.EventLoopThreadExecutor"})
public class FrameCodecBenchmark {
    private static final int OPCODE = 0x0101;
    private static final long STREAM_ID = 7;
    private static final long TIMEOUT_MS = 30_000;
    /** Header, trailer and the one TIMEOUT_MS entry (key, u16 length, u32 value). */
    private static final int FRAME_OVERHEAD = FrameHeader.OVERHEAD + 3 + 4;

    /** Payload bytes per frame: a small request and a page-sized one. */
    @Param({"64", "4096"})
    public int payloadSize;

    /** Where frames live: {@code direct} (what a Netty channel uses) or {@code heap}. */
    @Param({"direct", "heap"})
    public String buffer;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final FrameWriter writer = new FrameWriter();
    private final FrameDecoder decoder = new FrameDecoder();
    private boolean direct;
    private ByteBuf payload;
    /** One encoded frame; {@link #decode} rewinds its reader index each op. */
    private ByteBuf input;
    /** A buffer frames are appended to, as a connection's batch; cleared each op. */
    private ByteBuf batch;

    @Setup(Level.Trial)
    public void setUp() {
        if (!"direct".equals(buffer) && !"heap".equals(buffer)) {
            throw new IllegalArgumentException("buffer must be direct or heap: " + buffer);
        }
        direct = "direct".equals(buffer);
        byte[] bytes = new byte[payloadSize];
        new SplittableRandom(42).nextBytes(bytes);
        payload = newBuffer(payloadSize).writeBytes(bytes);
        input = encodeFrame();
        batch = newBuffer(4 * (FRAME_OVERHEAD + payloadSize));
        // Fail here, not in a measurement, if the frame is not what the benchmarks expect.
        ByteBuf frame = decoder.decode(input);
        if (frame == null || FrameHeader.payloadLength(frame) != payloadSize) {
            throw new IllegalStateException("setup frame did not decode");
        }
        frame.release();
        input.readerIndex(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        payload.release();
        input.release();
        batch.release();
    }

    /** Encode one frame into a pooled buffer and release it; returns its checksum. */
    @Benchmark
    public int encode() {
        ByteBuf frame = encodeFrame();
        int crc = frame.getInt(frame.writerIndex() - FrameHeader.TRAILER_LENGTH);
        frame.release();
        return crc;
    }

    /** Decode the prepared frame, read the fields a dispatcher needs and the payload, release it. */
    @Benchmark
    public void decode(Blackhole bh) {
        input.readerIndex(0);
        ByteBuf frame = decoder.decode(input);
        read(frame, bh);
        frame.release();
    }

    /** Encode, decode, read, release: one frame's full trip through the codec. */
    @Benchmark
    public void roundTrip(Blackhole bh) {
        ByteBuf encoded = encodeFrame();
        ByteBuf frame = decoder.decode(encoded);
        read(frame, bh);
        frame.release();
        encoded.release();
    }

    /** Encode one frame into the reused batch buffer (cleared first); returns its checksum. */
    @Benchmark
    public int encodeBatched() {
        batch.clear();
        ByteBuf frame = encodeFrame(batch);
        return frame.getInt(frame.writerIndex() - FrameHeader.TRAILER_LENGTH);
    }

    /** Encode into the batch buffer, decode, read, release the decoded frame. */
    @Benchmark
    public void roundTripBatched(Blackhole bh) {
        batch.clear();
        ByteBuf frame = decoder.decode(encodeFrame(batch));
        read(frame, bh);
        frame.release();
    }

    /** CRC-32C of the payload bytes alone. */
    @Benchmark
    public int crc32c() {
        return Crc32c.compute(payload, payload.readerIndex(), payloadSize);
    }

    /** Baseline: allocate and release a pooled buffer the size of the frame, nothing written. */
    @Benchmark
    public int allocateRelease() {
        ByteBuf buf = newBuffer(FRAME_OVERHEAD + payloadSize);
        int capacity = buf.capacity();
        buf.release();
        return capacity;
    }

    private ByteBuf encodeFrame() {
        return encodeFrame(newBuffer(FRAME_OVERHEAD + payloadSize));
    }

    private ByteBuf encodeFrame(ByteBuf out) {
        return writer.begin(out, FrameType.REQUEST, 0, Codecs.RAW, OPCODE, STREAM_ID)
                .u32(MetadataKey.TIMEOUT_MS, TIMEOUT_MS)
                .payload(payload)
                .finish();
    }

    private ByteBuf newBuffer(int capacity) {
        return direct ? alloc.directBuffer(capacity) : alloc.heapBuffer(capacity);
    }

    /**
     * What a dispatcher reads: stream id and opcode, then the payload slice. The slice's length and
     * last byte go to the blackhole rather than the slice itself, which a real handler would read
     * and drop the same way.
     */
    private static void read(ByteBuf frame, Blackhole bh) {
        bh.consume(FrameHeader.streamId(frame));
        bh.consume(FrameHeader.opcode(frame));
        ByteBuf body = FrameHeader.payload(frame);
        bh.consume(body.readableBytes());
        bh.consume(body.getByte(body.readableBytes() - 1));
    }
}
