package org.mcpjava.e2e;

import io.netty.channel.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Connection;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.internal.McpConnection;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Connection caps, and a peer that does not read its answers. */
class LimitsE2ETest {
    static final int COUNTED_ECHO = 0x0100;

    private final Loopback loop = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    @Test
    void connectionOverTheTotalCapIsOverloaded() throws Exception {
        McpServer server = loop.server(McpServer.builder().maxConnections(2, 2));
        RawMcpSocket first = loop.raw(server);
        first.handshake();
        RawMcpSocket second = loop.raw(server);
        second.handshake();

        RawMcpSocket third = loop.raw(server);
        third.expectConnectionError(ErrorCode.OVERLOADED);

        first.close();
        await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 1);
        RawMcpSocket again = loop.raw(server);
        assertEquals(FrameType.WELCOME, again.handshake().type);
    }

    @Test
    void connectionOverThePerAddressCapIsQuotaExceeded() throws Exception {
        McpServer server = loop.server(McpServer.builder().maxConnections(10, 1));
        McpClient client = loop.client(server);
        RawMcpSocket second = loop.raw(server);
        second.expectConnectionError(ErrorCode.QUOTA_EXCEEDED);
        Loopback.assertEcho(client, "the first one is untouched");
    }

    @Test
    void serverStopsReadingFromAPeerThatDoesNotRead() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        AtomicReference<Connection> slowConnection = new AtomicReference<>();
        McpServer server = loop.server(McpServer.builder()
                .writeBufferWatermarks(32 * 1024, 64 * 1024)
                .handle(COUNTED_ECHO, request -> {
                    handled.incrementAndGet();
                    slowConnection.compareAndSet(null, request.connection());
                    return CompletableFuture.completedFuture(
                            Payload.of(request.payload().codec(), request.payload().data().retainedSlice()));
                }));
        McpClient healthy = loop.client(server);

        SocketChannel slow = loop.track(SocketChannel.open());
        slow.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
        slow.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
        slow.connect(server.address());
        slow.configureBlocking(false);
        Selector selector = loop.track(Selector.open());
        slow.register(selector, SelectionKey.OP_WRITE);
        writeFully(slow, selector, RawMcpSocket.helloFrame(-1, null));
        slow.register(selector, SelectionKey.OP_READ);
        readWelcome(slow, selector);
        slow.register(selector, SelectionKey.OP_WRITE);

        byte[] payload = new byte[16 * 1024];
        long cap = 64L * 1024 * 1024;
        long sent = 0;
        long streamId = 1;
        ByteBuffer current = ByteBuffer.wrap(RawMcpSocket.requestFrame(streamId, COUNTED_ECHO, payload, 0));
        while (true) {
            if (sent > cap) {
                fail("sent " + sent + " bytes without the server pushing back");
            }
            int n = slow.write(current);
            sent += n;
            if (!current.hasRemaining()) {
                streamId += 2;
                current = ByteBuffer.wrap(RawMcpSocket.requestFrame(streamId, COUNTED_ECHO, payload, 0));
            }
            if (n == 0) {
                if (slowConnection.get() != null && pausedAndFull(slowConnection.get())) {
                    break;
                }
                selector.select(100);
                selector.selectedKeys().clear();
            }
        }
        Channel serverSide = ((McpConnection) slowConnection.get()).channel();
        long pending = serverSide.eventLoop().submit(() -> serverSide.unsafe().outboundBuffer() == null ? 0
                : serverSide.unsafe().outboundBuffer().totalPendingWriteBytes()).get(10, TimeUnit.SECONDS);
        // Unbounded buffering would hold megabytes here (the client pushed several before it blocked);
        // stopping reads keeps it near the 64 KiB watermark (plus at most the read in progress).
        assertTrue(pending < 1024 * 1024,
                "server buffered " + pending + " bytes for a peer that does not read (watermark 64 KiB)");
        assertTrue(handled.get() > 0);

        // Other connections are served meanwhile.
        for (int i = 0; i < 3; i++) {
            Loopback.assertEcho(healthy, "still served " + i);
        }

        slow.close();
        await().atMost(Loopback.WAIT).until(() -> !serverSide.isOpen());
        Loopback.assertEcho(healthy, "after the slow peer left");
    }

    /** On the connection's event loop: not reading, and its outbound buffer above the high watermark. */
    private static boolean pausedAndFull(Connection connection) throws Exception {
        Channel ch = ((McpConnection) connection).channel();
        return ch.eventLoop().submit(() -> !ch.config().isAutoRead() && !ch.isWritable()).get(10, TimeUnit.SECONDS);
    }

    private static void writeFully(SocketChannel ch, Selector selector, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RawMcpSocket.READ_TIMEOUT_MILLIS);
        while (buf.hasRemaining()) {
            if (ch.write(buf) == 0) {
                if (System.nanoTime() > deadline) {
                    fail("could not write " + bytes.length + " bytes");
                }
                selector.select(100);
                selector.selectedKeys().clear();
            }
        }
    }

    private static void readWelcome(SocketChannel ch, Selector selector) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(FrameHeader.HEADER_LENGTH);
        readFully(ch, selector, header);
        assertEquals(FrameType.WELCOME.wire(), header.get(FrameHeader.TYPE_OFFSET));
        int rest = (header.getShort(FrameHeader.METADATA_LENGTH_OFFSET) & 0xFFFF)
                + header.getInt(FrameHeader.PAYLOAD_LENGTH_OFFSET) + FrameHeader.TRAILER_LENGTH;
        readFully(ch, selector, ByteBuffer.allocate(rest));
    }

    private static void readFully(SocketChannel ch, Selector selector, ByteBuffer buf) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RawMcpSocket.READ_TIMEOUT_MILLIS);
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                fail("connection closed during the handshake");
            }
            if (n == 0) {
                if (System.nanoTime() > deadline) {
                    fail("no WELCOME within " + RawMcpSocket.READ_TIMEOUT_MILLIS + " ms");
                }
                selector.select(100);
                selector.selectedKeys().clear();
            }
        }
    }
}
