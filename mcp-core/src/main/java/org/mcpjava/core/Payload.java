package org.mcpjava.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;
import org.mcpjava.wire.Codecs;

import java.nio.charset.StandardCharsets;

/**
 * Payload bytes with the id of the codec that encoded them.
 *
 * <p><b>Ownership.</b> A Payload is reference counted through its buffer: it owns one reference to
 * the buffer, and {@link #retain()} / {@link #release()} act on the buffer's count (no counter of its
 * own, so a Payload costs one small object on the hot path).
 * Passing a Payload to the library (as a reply or a call's argument) hands that reference over:
 * the library releases it once written. A Payload the library hands out (a reply to a call) is
 * the receiver's to {@link #release()}.
 */
public final class Payload implements ReferenceCounted {
    private final int codec;
    private final ByteBuf data;

    private Payload(int codec, ByteBuf data) {
        if ((codec & ~0xFF) != 0) {
            throw new IllegalArgumentException("codec must be 0-255: " + codec);
        }
        this.codec = codec;
        this.data = data;
    }

    /** Wraps {@code data} (taking over the caller's reference) tagged with {@code codec}. */
    public static Payload of(int codec, ByteBuf data) {
        return new Payload(codec, data);
    }

    /** Raw bytes (wrapped, not copied). */
    public static Payload raw(byte[] bytes) {
        return new Payload(Codecs.RAW, Unpooled.wrappedBuffer(bytes));
    }

    /** An empty raw payload. */
    public static Payload empty() {
        return new Payload(Codecs.RAW, Unpooled.EMPTY_BUFFER);
    }

    /** UTF-8 text as a raw payload. */
    public static Payload utf8(String text) {
        return new Payload(Codecs.RAW, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** The codec id (see {@link Codecs}). */
    public int codec() {
        return codec;
    }

    /** The bytes; valid while this payload is. Reading moves its reader index. */
    public ByteBuf data() {
        return data;
    }

    /** The number of payload bytes. */
    public int size() {
        return data.readableBytes();
    }

    /** A copy of the bytes. */
    public byte[] toBytes() {
        byte[] out = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), out);
        return out;
    }

    /** The bytes decoded as UTF-8. */
    public String toUtf8() {
        return data.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int refCnt() {
        return data.refCnt();
    }

    @Override
    public Payload retain() {
        data.retain();
        return this;
    }

    @Override
    public Payload retain(int increment) {
        data.retain(increment);
        return this;
    }

    @Override
    public Payload touch() {
        data.touch();
        return this;
    }

    @Override
    public Payload touch(Object hint) {
        data.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return data.release();
    }

    @Override
    public boolean release(int decrement) {
        return data.release(decrement);
    }

    @Override
    public String toString() {
        return "Payload(" + Codecs.nameOf(codec) + ", " + data.readableBytes() + " bytes)";
    }
}
