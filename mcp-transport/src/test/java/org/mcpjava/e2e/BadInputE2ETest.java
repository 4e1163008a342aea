package org.mcpjava.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataKey;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that breaks the protocol gets ERROR on stream 0 with the spec's code and is closed; no
 * other connection notices (an McpClient echoes after every case).
 */
class BadInputE2ETest {
    static final int STUCK = 0x0100;

    private final Loopback loop = new Loopback();
    private final StuckHandler stuck = new StuckHandler();
    private McpServer server;
    private McpClient bystander;
    private RawMcpSocket raw;

    @BeforeEach
    void start() throws Exception {
        server = loop.server(McpServer.builder().maxFrame(64 * 1024).handle(STUCK, stuck));
        bystander = loop.client(server);
        loop.beforeClose(stuck::releaseAll);
        raw = loop.raw(server);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            Loopback.assertEcho(bystander, "unaffected");
            await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 1);
        } finally {
            loop.close();
        }
    }

    private static byte[] pingFrame() {
        ByteBuf f = RawMcpSocket.frame(FrameType.PING, 0, 0, 0, 0).payload(new byte[8]).finish();
        return RawMcpSocket.toBytes(f);
    }

    @Test
    void badMagic() throws Exception {
        raw.handshake();
        byte[] frame = pingFrame();
        frame[0] = 'X';
        raw.sendRaw(frame);
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void badVersion() throws Exception {
        byte[] hello = RawMcpSocket.helloFrame(-1, null);
        hello[FrameHeader.VERSION_OFFSET] = 2;
        raw.sendRaw(hello);
        raw.expectConnectionError(ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void unknownFrameType() throws Exception {
        raw.handshake();
        byte[] frame = pingFrame();
        frame[FrameHeader.TYPE_OFFSET] = 0x7E;
        raw.sendRaw(frame);
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void badChecksum() throws Exception {
        raw.handshake();
        byte[] frame = RawMcpSocket.requestFrame(1, 0xFF01, "hi".getBytes(), 0);
        frame[frame.length - 1] ^= 0x01;
        raw.sendRaw(frame);
        raw.expectConnectionError(ErrorCode.CHECKSUM_MISMATCH);
    }

    @Test
    void oversizeFrameIsRefusedFromItsHeaderAlone() throws Exception {
        raw.handshake();
        ByteBuf header = Unpooled.buffer(FrameHeader.HEADER_LENGTH)
                .writeShort(FrameHeader.MAGIC).writeByte(FrameHeader.VERSION).writeByte(FrameType.REQUEST.wire())
                .writeByte(0).writeByte(0).writeShort(0xFF01).writeInt(1)
                .writeShort(0).writeInt(10 * 1024 * 1024);
        raw.sendRaw(RawMcpSocket.toBytes(header)); // the 18 header bytes, and not one byte of the body
        raw.expectConnectionError(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void requestBeforeHello() throws Exception {
        raw.sendRequest(1, 0xFF01, "too early".getBytes(StandardCharsets.UTF_8));
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void helloTwice() throws Exception {
        raw.handshake();
        raw.sendHello(-1, null);
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void welcomeFromTheClient() throws Exception {
        raw.handshake();
        raw.send(raw.begin(FrameType.WELCOME, 0, 0, 0, 0).finish());
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void randomGarbage() throws Exception {
        byte[] garbage = new byte[512];
        new Random(20240611).nextBytes(garbage);
        garbage[0] = 0x13; // certainly not the magic's first byte
        raw.sendRaw(garbage);
        RawFrame error = raw.readFrame(FrameType.ERROR);
        assertEquals(0, error.streamId);
        assertTrue(error.errorCode() == ErrorCode.PROTOCOL_ERROR.code()
                || error.errorCode() == ErrorCode.UNSUPPORTED_VERSION.code(), () -> "got " + error);
        raw.expectEof();
    }

    @Test
    void garbageAfterTheHandshake() throws Exception {
        raw.handshake();
        byte[] garbage = new byte[100];
        Arrays.fill(garbage, (byte) 0xEE);
        raw.sendRaw(garbage);
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void requestOnAnEvenStreamId() throws Exception {
        raw.handshake();
        raw.sendRequest(2, 0xFF01, "server ids are even".getBytes(StandardCharsets.UTF_8));
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void streamIdReusedWhileInFlight() throws Exception {
        raw.handshake();
        raw.sendRequest(1, STUCK, new byte[0]);
        raw.sendRequest(1, STUCK, new byte[0]);
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void malformedMetadata() throws Exception {
        raw.handshake();
        // TIMEOUT_MS must be 4 bytes.
        raw.send(raw.begin(FrameType.REQUEST, 0, 0, 0xFF01, 1)
                .bytes(MetadataKey.TIMEOUT_MS.wire(), new byte[] {0, 0, 1}).finish());
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void truncatedFrameThenHalfClose() throws Exception {
        raw.handshake();
        byte[] frame = RawMcpSocket.requestFrame(1, 0xFF01, "cut short".getBytes(), 0);
        raw.sendRaw(Arrays.copyOf(frame, frame.length - 5));
        raw.shutdownOutput();
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void truncatedHeaderThenHalfClose() throws Exception {
        raw.sendRaw(Arrays.copyOf(RawMcpSocket.helloFrame(-1, null), 7));
        raw.shutdownOutput();
        raw.expectConnectionError(ErrorCode.PROTOCOL_ERROR);
    }
}
