package org.mcpjava.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameDecoder;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.MetadataKey;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A blocking MCP/1 peer over a plain {@link Socket}, for tests that need to see or send exact
 * frames: frames are built with {@link FrameWriter} and read back through {@link FrameDecoder}.
 *
 * <p>Reads time out after {@link #READ_TIMEOUT_MILLIS}, so a test fails rather than hangs. Not
 * thread-safe; one test thread drives it. Holds no Netty buffers between calls.
 */
final class RawMcpSocket implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 10_000;
    /** The largest frame this test peer reads (well above anything the tests exchange). */
    private static final int MAX_FRAME = 64 * 1024 * 1024;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final FrameDecoder decoder = new FrameDecoder(MAX_FRAME);

    private RawMcpSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code address} (TCP only). */
    static RawMcpSocket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.connect(address, READ_TIMEOUT_MILLIS);
            return new RawMcpSocket(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Wraps a socket accepted by a test acting as a server. */
    static RawMcpSocket accepted(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        s.setSoTimeout(READ_TIMEOUT_MILLIS);
        return new RawMcpSocket(s);
    }

    Socket socket() {
        return socket;
    }

    // ------------------------------------------------------------------ building frames

    /** Starts a frame in a fresh heap buffer; finish it and pass it to {@link #send(ByteBuf)}. */
    FrameWriter begin(FrameType type, int flags, int codec, int opcode, long streamId) {
        return frame(type, flags, codec, opcode, streamId);
    }

    /** Starts a frame in a fresh heap buffer, for tests that build bytes without a socket. */
    static FrameWriter frame(FrameType type, int flags, int codec, int opcode, long streamId) {
        return new FrameWriter().begin(Unpooled.buffer(), type, flags, codec, opcode, streamId);
    }

    /** The bytes of a finished frame, releasing it. */
    static byte[] toBytes(ByteBuf frame) {
        try {
            byte[] bytes = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), bytes);
            return bytes;
        } finally {
            frame.release();
        }
    }

    /** HELLO with CLIENT_ID, CODECS [raw, json] and, when positive/non-null, KEEPALIVE_MS and AUTH. */
    static byte[] helloFrame(long keepaliveMillis, String auth) {
        FrameWriter w = frame(FrameType.HELLO, 0, 0, 0, 0).utf8(MetadataKey.CLIENT_ID, "raw-client");
        if (auth != null) {
            w.bytes(MetadataKey.AUTH.wire(), auth.getBytes(StandardCharsets.UTF_8));
        }
        if (keepaliveMillis >= 0) {
            w.u32(MetadataKey.KEEPALIVE_MS, keepaliveMillis);
        }
        return toBytes(w.bytes(MetadataKey.CODECS.wire(), new byte[] {0, 1}).finish());
    }

    static byte[] requestFrame(long streamId, int opcode, byte[] payload, long timeoutMillis) {
        FrameWriter w = frame(FrameType.REQUEST, 0, 0, opcode, streamId);
        if (timeoutMillis > 0) {
            w.u32(MetadataKey.TIMEOUT_MS, timeoutMillis);
        }
        return toBytes(w.payload(payload).finish());
    }

    // ------------------------------------------------------------------ sending

    /** Writes {@code bytes} as they are. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes a finished frame and releases it. */
    void send(ByteBuf frame) throws IOException {
        sendRaw(toBytes(frame));
    }

    void sendHello(long keepaliveMillis, String auth) throws IOException {
        sendRaw(helloFrame(keepaliveMillis, auth));
    }

    /** HELLO (no KEEPALIVE_MS, no AUTH), then reads and returns WELCOME. */
    RawFrame handshake() throws IOException {
        return handshake(-1, null);
    }

    /** HELLO, then reads and returns WELCOME. */
    RawFrame handshake(long keepaliveMillis, String auth) throws IOException {
        sendHello(keepaliveMillis, auth);
        RawFrame welcome = readFrame();
        assertEquals(FrameType.WELCOME, welcome.type, () -> "expected WELCOME, got " + welcome);
        return welcome;
    }

    void sendRequest(long streamId, int opcode, byte[] payload) throws IOException {
        sendRaw(requestFrame(streamId, opcode, payload, 0));
    }

    void sendRequest(long streamId, int opcode, byte[] payload, long timeoutMillis) throws IOException {
        sendRaw(requestFrame(streamId, opcode, payload, timeoutMillis));
    }

    void sendCancel(long streamId) throws IOException {
        send(begin(FrameType.CANCEL, 0, 0, 0, streamId).finish());
    }

    void sendResponse(long streamId, int opcode, byte[] payload) throws IOException {
        send(begin(FrameType.RESPONSE, 0, 0, opcode, streamId).payload(payload).finish());
    }

    void sendPong(byte[] pingPayload) throws IOException {
        send(begin(FrameType.PONG, 0, 0, 0, 0).payload(pingPayload).finish());
    }

    void sendPing(long stamp) throws IOException {
        FrameWriter w = begin(FrameType.PING, 0, 0, 0, 0);
        w.payloadOut().writeLong(stamp);
        send(w.finish());
    }

    /** Half-closes: no more bytes from this side, reading still works. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    // ------------------------------------------------------------------ reading

    /** Reads and validates the next frame; fails the test on EOF or timeout. */
    RawFrame readFrame() throws IOException {
        byte[] header = new byte[FrameHeader.HEADER_LENGTH];
        try {
            in.readFully(header);
        } catch (EOFException e) {
            throw new AssertionError("connection closed while a frame was expected", e);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame within " + READ_TIMEOUT_MILLIS + " ms", e);
        }
        ByteBuf h = Unpooled.wrappedBuffer(header);
        long length = FrameHeader.OVERHEAD + (long) h.getUnsignedShort(FrameHeader.METADATA_LENGTH_OFFSET)
                + h.getUnsignedInt(FrameHeader.PAYLOAD_LENGTH_OFFSET);
        assertTrue(length <= MAX_FRAME, () -> "peer sent a frame of " + length + " bytes");
        byte[] whole = new byte[(int) length];
        System.arraycopy(header, 0, whole, 0, header.length);
        in.readFully(whole, header.length, whole.length - header.length);
        ByteBuf buf = Unpooled.wrappedBuffer(whole);
        try {
            ByteBuf frame = decoder.decode(buf);
            assertTrue(frame != null && !buf.isReadable(), "decoder did not consume exactly one frame");
            try {
                return new RawFrame(frame);
            } finally {
                frame.release();
            }
        } finally {
            buf.release();
        }
    }

    /** Reads the next frame and checks its type. */
    RawFrame readFrame(FrameType expected) throws IOException {
        RawFrame f = readFrame();
        assertEquals(expected, f.type, () -> "expected " + expected + ", got " + f);
        return f;
    }

    /** Reads the answer to a request: RESPONSE or ERROR on {@code streamId}. */
    RawFrame readAnswer(long streamId) throws IOException {
        RawFrame f = readFrame();
        assertTrue(f.type == FrameType.RESPONSE || f.type == FrameType.ERROR, () -> "expected an answer, got " + f);
        assertEquals(streamId, f.streamId, () -> "answer on the wrong stream: " + f);
        return f;
    }

    /** Reads ERROR on {@code streamId} with {@code code}. */
    RawFrame expectError(long streamId, ErrorCode code) throws IOException {
        RawFrame f = readFrame(FrameType.ERROR);
        assertEquals(streamId, f.streamId, () -> "ERROR on the wrong stream: " + f);
        assertEquals(code.code(), f.errorCode(), () -> "wrong code in " + f);
        return f;
    }

    /** A connection error: ERROR on stream 0 with {@code code}, then the server closes. */
    RawFrame expectConnectionError(ErrorCode code) throws IOException {
        RawFrame f = expectError(0, code);
        expectEof();
        return f;
    }

    /** Asserts that the peer closed the connection (no further bytes, then end of stream). */
    void expectEof() throws IOException {
        try {
            int b = in.read();
            if (b != -1) {
                fail("expected end of stream, got byte 0x" + Integer.toHexString(b));
            }
        } catch (SocketTimeoutException e) {
            fail("connection still open after " + READ_TIMEOUT_MILLIS + " ms");
        } catch (SocketException e) {
            // A reset also means the server closed; the frames before it were already read.
        }
    }

    /** The socket's input, for tests that read bytes themselves. */
    InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
