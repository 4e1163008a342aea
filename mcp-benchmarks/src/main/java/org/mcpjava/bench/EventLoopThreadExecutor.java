package org.mcpjava.bench;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH's benchmark threads as Netty {@code FastThreadLocalThread}s, the kind of thread an
 * event loop runs on, so the benchmarks see the allocator and recycler a real channel sees.
 *
 * <p>Why: in Netty 4.2 the {@code Recycler} pools {@code PooledByteBuf} and {@code PooledSlicedByteBuf}
 * objects only on threads that clean up their fast thread-locals (event-loop threads), and
 * {@code PooledByteBufAllocator} keeps per-thread caches only for them by default. On JMH's plain
 * worker threads every pooled buffer would still allocate its wrapper object (about 140 bytes),
 * which measures a thread a codec on a channel never runs on.
 *
 * <p>Selected in the forked JVM by {@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=org.mcpjava.bench.EventLoopThreadExecutor}; JMH calls the
 * {@code (int, String)} constructor.
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {
    /**
     * @param threads the number of benchmark threads JMH asks for
     * @param prefix the thread name prefix JMH chooses
     */
    public EventLoopThreadExecutor(int threads, String prefix) {
        super(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
