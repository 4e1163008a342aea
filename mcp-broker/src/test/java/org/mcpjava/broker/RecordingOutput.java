package org.mcpjava.broker;

import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.wire.FrameHeader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SessionOutput} that records the frames the broker writes to it as short strings, e.g.
 * {@code "PUBLISH 3 DUP a"} (packet id, DUP, payload) or {@code "PUBREL 2"}. Thread-safe.
 */
final class RecordingOutput implements SessionOutput {
    private final int receiveWindow;
    private final int maxFrame;
    private final List<String> frames = new ArrayList<>();
    private boolean takenOver;

    RecordingOutput(int receiveWindow) {
        this(receiveWindow, FrameHeader.DEFAULT_MAX_FRAME);
    }

    /** An output whose client announced MAX_FRAME {@code maxFrame}. */
    RecordingOutput(int receiveWindow, int maxFrame) {
        this.receiveWindow = receiveWindow;
        this.maxFrame = maxFrame;
    }

    /** The frames written so far, oldest first (a copy). */
    synchronized List<String> frames() {
        return new ArrayList<>(frames);
    }

    /** The PUBLISH frames written so far, oldest first. */
    synchronized List<String> publishes() {
        return frames.stream().filter(f -> f.startsWith("PUBLISH")).toList();
    }

    synchronized boolean wasTakenOver() {
        return takenOver;
    }

    private synchronized void record(String frame) {
        frames.add(frame);
    }

    @Override
    public int receiveWindow() {
        return receiveWindow;
    }

    @Override
    public int maxFrame() {
        return maxFrame;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public void publish(long packetId, StoredMessage message, boolean dup) {
        if (DeliveryFrameSize.of(message) > maxFrame) {
            throw new AssertionError("PUBLISH of " + DeliveryFrameSize.of(message) + " bytes over MAX_FRAME " + maxFrame);
        }
        record("PUBLISH " + packetId + (dup ? " DUP " : " ") + new String(message.payload(), StandardCharsets.UTF_8));
    }

    @Override
    public void pubrel(long packetId, boolean dup) {
        record("PUBREL " + packetId + (dup ? " DUP" : ""));
    }

    @Override
    public void puback(long packetId) {
        record("PUBACK " + packetId);
    }

    @Override
    public void pubrec(long packetId) {
        record("PUBREC " + packetId);
    }

    @Override
    public void pubcomp(long packetId) {
        record("PUBCOMP " + packetId);
    }

    @Override
    public void nack(long packetId, int code, String message) {
        record("NACK " + packetId + " " + code);
    }

    @Override
    public void flush() {
        // nothing buffered
    }

    @Override
    public synchronized void takenOver() {
        takenOver = true;
    }
}
