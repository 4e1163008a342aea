package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameDecoder;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameFactoryTest {
    private final List<ByteBuf> handedOver = new ArrayList<>();
    private final FrameFactory frames = new FrameFactory(PooledByteBufAllocator.DEFAULT, handedOver::add);
    private final List<ByteBuf> toRelease = new ArrayList<>();

    @AfterEach
    void release() {
        frames.releaseBatch();
        handedOver.forEach(ByteBuf::release);
        toRelease.forEach(ByteBuf::release);
    }

    private static Payload payload(int size) {
        return Payload.of(Codecs.RAW, Unpooled.wrappedBuffer(new byte[size]));
    }

    /** Decodes every frame in {@code batch}: the decoder validates each (CRC, layout). */
    private List<ByteBuf> decodeAll(ByteBuf batch) {
        toRelease.add(batch);
        FrameDecoder decoder = new FrameDecoder();
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf f;
        while ((f = decoder.decode(batch)) != null) {
            toRelease.add(f);
            out.add(f);
        }
        assertFalse(batch.isReadable(), "bytes left after the last whole frame");
        return out;
    }

    @Test
    void smallFramesShareOneBatchBufferInOrder() {
        Payload p = payload(64);
        ByteBuf a = frames.request(1, 0xFF01, p, 1000, null);
        ByteBuf b = frames.response(2, 0xFF01, p);
        ByteBuf c = frames.error(4, 7, ErrorCode.NOT_FOUND.code(), "no such opcode");
        ByteBuf d = frames.cancel(3);
        p.release();
        assertTrue(frames.isBatch(a));
        assertSame(a, b);
        assertSame(a, c);
        assertSame(a, d);
        assertEquals(FrameType.CANCEL, frames.lastBatchedType());
        assertEquals(FrameHeader.OVERHEAD, frames.lastBatchedLength());
        ByteBuf batch = frames.takeBatch();
        assertNull(frames.takeBatch(), "the batch was handed over");
        List<ByteBuf> decoded = decodeAll(batch);
        assertEquals(List.of(FrameType.REQUEST, FrameType.RESPONSE, FrameType.ERROR, FrameType.CANCEL),
                decoded.stream().map(FrameHeader::type).toList());
        assertEquals(List.of(1L, 2L, 4L, 3L), decoded.stream().map(FrameHeader::streamId).toList());
    }

    @Test
    void aFullBatchIsHandedOverBeforeTheFrameThatDoesNotFit() {
        Payload p = payload(4096);
        for (long id = 2; id <= 40; id += 2) {
            frames.response(id, 1, p);
        }
        p.release();
        assertTrue(handedOver.size() >= 4, handedOver.size() + " batches handed over for 80 KiB of frames");
        List<Long> ids = new ArrayList<>();
        List<ByteBuf> batches = new ArrayList<>(handedOver);
        handedOver.clear();
        batches.add(frames.takeBatch());
        for (ByteBuf batch : batches) {
            assertTrue(batch.readableBytes() <= FrameFactory.BATCH_CAPACITY, "a batch never grows");
            decodeAll(batch).forEach(f -> ids.add(FrameHeader.streamId(f)));
        }
        List<Long> expected = new ArrayList<>();
        for (long id = 2; id <= 40; id += 2) {
            expected.add(id);
        }
        assertEquals(expected, ids, "every frame once, in the order built");
    }

    @Test
    void largePayloadGetsAFrameOfItsOwn() {
        Payload small = payload(10);
        Payload large = payload(FrameFactory.MAX_BATCHED_PAYLOAD + 1);
        ByteBuf batched = frames.response(2, 1, small);
        ByteBuf own = frames.response(4, 1, large);
        small.release();
        large.release();
        assertTrue(frames.isBatch(batched));
        assertFalse(frames.isBatch(own));
        assertEquals(1, decodeAll(own).size());
        assertEquals(1, decodeAll(frames.takeBatch()).size());
    }

    @Test
    void aFrameThatFailsHalfWayIsCutOutOfTheBatch() {
        Payload p = payload(16);
        frames.response(2, 1, p);
        int before = frames.batchBytes();
        // Key 0 is not a metadata key: the writer throws after the header is already in the batch.
        assertThrows(IllegalArgumentException.class, () -> frames.request(5, 1, p, 0, Map.of(0, "x")));
        assertEquals(before, frames.batchBytes(), "the failed frame's bytes were rolled back");
        frames.response(4, 1, p);
        p.release();
        List<ByteBuf> decoded = decodeAll(frames.takeBatch());
        assertEquals(List.of(2L, 4L), decoded.stream().map(FrameHeader::streamId).toList());
    }

    @Test
    void aStandaloneFrameThatFailsReleasesItsBuffer() {
        Payload large = payload(FrameFactory.MAX_BATCHED_PAYLOAD + 100);
        // Paranoid leak detection reports the buffer if the rollback does not release it.
        assertThrows(IllegalArgumentException.class, () -> frames.request(5, 1, large, 0, Map.of(0, "x")));
        assertEquals(1, large.refCnt());
        large.release();
        assertNull(frames.takeBatch());
    }

    @Test
    void errorMessagesAreTruncatedNotRejected() {
        String longMessage = "x".repeat(70_000);
        ByteBuf frame = frames.error(2, 1, ErrorCode.INTERNAL.code(), longMessage);
        assertTrue(frames.isBatch(frame));
        ByteBuf decoded = decodeAll(frames.takeBatch()).get(0);
        String message = org.mcpjava.wire.Metadata.string(decoded, org.mcpjava.wire.MetadataKey.ERROR_MESSAGE);
        assertTrue(message.length() < 2000 && message.endsWith("..."), message.length() + " chars");
    }
}
