package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import org.mcpjava.core.McpException;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataKey;

/**
 * The limits a HELLO or WELCOME announces, read from its metadata with the spec's defaults for
 * absent keys.
 *
 * @param maxFrame              MAX_FRAME (default 4 MiB)
 * @param keepaliveMillis       KEEPALIVE_MS (0 when absent: no preference)
 * @param receiveWindow         RECEIVE_WINDOW (default 65535)
 * @param maxConcurrentRequests MAX_CONCURRENT_REQUESTS (unbounded when absent)
 * @param codecs                CODECS, or raw only when absent
 * @param sessionId             SESSION_ID or {@code null}
 * @param sessionExpirySeconds  SESSION_EXPIRY_S (0 when absent)
 */
record HelloParameters(int maxFrame, long keepaliveMillis, int receiveWindow, long maxConcurrentRequests,
                       byte[] codecs, byte[] sessionId, long sessionExpirySeconds) {

    static HelloParameters read(ByteBuf frame) {
        long maxFrame = Metadata.number(frame, MetadataKey.MAX_FRAME, FrameHeader.DEFAULT_MAX_FRAME);
        if (maxFrame < FrameHeader.OVERHEAD) {
            throw new McpException(ErrorCode.PROTOCOL_ERROR, "MAX_FRAME " + maxFrame + " is smaller than a frame header");
        }
        byte[] codecs = Metadata.bytes(frame, MetadataKey.CODECS.wire());
        return new HelloParameters(
                (int) Math.min(maxFrame, Integer.MAX_VALUE),
                Metadata.number(frame, MetadataKey.KEEPALIVE_MS, 0),
                (int) Metadata.number(frame, MetadataKey.RECEIVE_WINDOW, 0xFFFF),
                Metadata.number(frame, MetadataKey.MAX_CONCURRENT_REQUESTS, Long.MAX_VALUE),
                codecs == null ? new byte[] {0} : codecs,
                Metadata.bytes(frame, MetadataKey.SESSION_ID.wire()),
                Metadata.number(frame, MetadataKey.SESSION_EXPIRY_S, 0));
    }
}
