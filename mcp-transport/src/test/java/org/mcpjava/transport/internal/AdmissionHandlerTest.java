package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataKey;

import javax.net.ssl.SSLHandshakeException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AdmissionHandler} and {@link ConnectionLimiter} on {@link EmbeddedChannel}s (which have no
 * inet address, so only the total cap applies): places taken at activation and given back at
 * close, a refusal written at once in plaintext and only after a successful TLS handshake behind
 * TLS, inbound data of a refused channel released, and refusals in progress bounded.
 */
class AdmissionHandlerTest {
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void finish() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }

    /** Records what reaches the handler after the limiter. */
    private static final class Behind extends ChannelInboundHandlerAdapter {
        boolean active;
        final List<Object> seen = new ArrayList<>();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active = true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seen.add(cause);
        }
    }

    private EmbeddedChannel channel(ConnectionLimiter limiter, boolean afterTls, Behind behind) {
        EmbeddedChannel ch = new EmbeddedChannel(limiter.newHandler(afterTls), behind);
        channels.add(ch);
        return ch;
    }

    private static void assertRefusal(EmbeddedChannel ch, ErrorCode code) {
        ByteBuf frame = ch.readOutbound();
        try {
            assertEquals(FrameType.ERROR, FrameHeader.type(frame));
            assertEquals(0, FrameHeader.streamId(frame));
            assertEquals(code.code(), Metadata.number(frame, MetadataKey.ERROR_CODE, -1));
        } finally {
            frame.release();
        }
        assertNull(ch.readOutbound());
    }

    @Test
    void admittedChannelsPassThroughAndGiveTheirPlaceBack() {
        ConnectionLimiter limiter = new ConnectionLimiter(1, 1, 4);
        Behind first = new Behind();
        EmbeddedChannel admitted = channel(limiter, false, first);
        assertTrue(first.active);
        ByteBuf data = Unpooled.copiedBuffer(new byte[] {1, 2, 3});
        admitted.writeInbound(data);
        assertEquals(List.of(data), first.seen);
        data.release();
        assertEquals(1, limiter.open());

        admitted.close();
        assertEquals(0, limiter.open());
        Behind next = new Behind();
        channel(limiter, false, next);
        assertTrue(next.active, "the place was given back");
    }

    @Test
    void plaintextRefusalIsWrittenAtOnceAndTheChannelClosed() {
        ConnectionLimiter limiter = new ConnectionLimiter(1, 1, 4);
        channel(limiter, false, new Behind());
        Behind behind = new Behind();
        EmbeddedChannel refused = channel(limiter, false, behind);
        assertRefusal(refused, ErrorCode.OVERLOADED);
        assertFalse(refused.isOpen());
        assertFalse(behind.active);
        assertEquals(1, limiter.open(), "only the admitted one once the refused one closed");
    }

    @Test
    void refusalBehindTlsWaitsForTheHandshakeAndReleasesWhatArrivesMeanwhile() {
        ConnectionLimiter limiter = new ConnectionLimiter(1, 1, 4);
        channel(limiter, true, new Behind());
        Behind behind = new Behind();
        EmbeddedChannel refused = channel(limiter, true, behind);
        assertNull(refused.readOutbound(), "nothing in the middle of the TLS handshake");
        assertTrue(refused.isOpen());
        assertTrue(refused.config().isAutoRead(), "the handshake must be read");
        assertEquals(2, limiter.open());

        ByteBuf early = Unpooled.copiedBuffer(new byte[] {1, 2, 3});
        refused.writeInbound(early);
        assertEquals(0, early.refCnt(), "a refused channel's data is released");

        refused.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
        assertRefusal(refused, ErrorCode.OVERLOADED);
        assertFalse(refused.isOpen());
        assertFalse(behind.active);
        assertTrue(behind.seen.isEmpty(), "later handlers never hear of a refused channel: " + behind.seen);
        assertEquals(1, limiter.open());
    }

    @Test
    void failedTlsHandshakeOfARefusedChannelJustCloses() {
        ConnectionLimiter limiter = new ConnectionLimiter(1, 1, 4);
        channel(limiter, true, new Behind());
        Behind behind = new Behind();
        EmbeddedChannel refused = channel(limiter, true, behind);
        SSLHandshakeException cause = new SSLHandshakeException("handshake timed out");
        refused.pipeline().fireExceptionCaught(cause);
        refused.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(cause));
        assertNull(refused.readOutbound());
        assertFalse(refused.isOpen());
        assertTrue(behind.seen.isEmpty(), behind.seen::toString);
        assertEquals(1, limiter.open());
    }

    @Test
    void refusalsInProgressAreBoundedAndTheRestClosedWithoutAnAnswer() {
        ConnectionLimiter limiter = new ConnectionLimiter(1, 1, 2);
        channel(limiter, true, new Behind());
        EmbeddedChannel waiting1 = channel(limiter, true, new Behind());
        EmbeddedChannel waiting2 = channel(limiter, true, new Behind());
        assertEquals(3, limiter.open());

        EmbeddedChannel dropped = channel(limiter, true, new Behind());
        assertFalse(dropped.isOpen());
        assertNull(dropped.readOutbound());
        assertEquals(3, limiter.open());

        waiting1.close();
        EmbeddedChannel waiting3 = channel(limiter, true, new Behind());
        assertTrue(waiting3.isOpen(), "a refusal slot was given back");
        waiting3.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
        assertRefusal(waiting3, ErrorCode.OVERLOADED);
        assertTrue(waiting2.isOpen());
    }
}
