package org.mcpjava.client;

import io.netty.channel.EventLoopGroup;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.mcpjava.transport.internal.Transports;

import java.util.concurrent.TimeUnit;

/**
 * I/O threads and the deadline timer, shareable by many {@link McpClient}s (for example one per
 * connection of a load generator). The creator closes it after the clients that use it.
 */
public final class ClientResources implements AutoCloseable {
    private final EventLoopGroup group;
    private final HashedWheelTimer timer;

    private ClientResources(int threads) {
        this.group = Transports.newGroup(threads, "mcp-client");
        this.timer = new HashedWheelTimer(new DefaultThreadFactory("mcp-client-timer", true), 10, TimeUnit.MILLISECONDS);
    }

    /** Resources with {@code threads} I/O threads (0 = Netty's default of twice the cores). */
    public static ClientResources create(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0: " + threads);
        }
        return new ClientResources(threads);
    }

    EventLoopGroup group() {
        return group;
    }

    HashedWheelTimer timer() {
        return timer;
    }

    /** Stops the threads and the timer. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        timer.stop();
    }
}
