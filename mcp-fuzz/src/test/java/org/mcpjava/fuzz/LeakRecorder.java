package org.mcpjava.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a Netty leak report into a test failure instead of a log line.
 *
 * <p>{@link #install()} replaces Netty's {@link ResourceLeakDetectorFactory} so that every
 * {@link ResourceLeakDetector} it creates records the leaks it reports. It must run before Netty's
 * {@code AbstractByteBuf} is initialised (that class creates the buffer leak detector once, in its
 * static initialiser); {@code install()} checks that it did and throws otherwise, so a setup in which
 * leaks would go unnoticed fails loudly.
 *
 * <p>Netty reports a leak only after the garbage collector has collected the leaked buffer and a
 * later allocation polls the detector's queue, so a report usually surfaces while a later input
 * runs. {@link FrameDecoderFuzzTest} therefore checks reference counts itself, which pins a leak on
 * the input that caused it; this class is the safety net for leaks those checks do not see.
 */
final class LeakRecorder {
    private static final List<String> LEAKS = new ArrayList<>();
    private static volatile boolean byteBufDetectorCreated;
    private static boolean installed;

    private LeakRecorder() {
    }

    /** Installs the recording factory (idempotent) and verifies that the ByteBuf detector is ours. */
    static synchronized void install() {
        if (installed) {
            return;
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        // Initialises AbstractByteBuf (and with it the ByteBuf leak detector) if nothing did before.
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(1);
        probe.release();
        if (!byteBufDetectorCreated) {
            throw new IllegalStateException("Netty's ByteBuf leak detector was created before LeakRecorder was "
                    + "installed, so leaks could not fail the test; install it earlier");
        }
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("run with -Dio.netty.leakDetection.level=paranoid (is "
                    + ResourceLeakDetector.getLevel() + ")");
        }
        installed = true;
    }

    /** Throws if Netty has reported a leak since the last call. */
    static void assertNoLeaks() {
        String report;
        synchronized (LEAKS) {
            if (LEAKS.isEmpty()) {
                return;
            }
            report = String.join("\n", LEAKS);
            LEAKS.clear();
        }
        throw new AssertionError("Netty reported a ByteBuf leak (from this or an earlier input):\n" + report);
    }

    /**
     * Collects garbage until a sentinel object has been collected and enqueued, then allocates once
     * so that the detector polls its queue. Best effort (the JVM may not collect everything), which
     * is why reference counts are checked directly as well.
     */
    static void flush() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        for (int i = 0; i < 10 && queue.poll() == null; i++) {
            System.gc();
            if (queue.remove(200) != null) {
                break;
            }
        }
        sentinel.clear();
        for (int i = 0; i < 4; i++) {
            PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
            PooledByteBufAllocator.DEFAULT.heapBuffer(1).release();
        }
    }

    private static void record(String leak) {
        synchronized (LEAKS) {
            LEAKS.add(leak);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                  long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            if (resource == ByteBuf.class) {
                byteBufDetectorCreated = true;
            }
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<?> resourceType, int samplingInterval) {
            super(resourceType, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true; // report even if the logger is off
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record("LEAK: " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record("LEAK: " + resourceType + " (no access records)");
            super.reportUntracedLeak(resourceType);
        }
    }
}
