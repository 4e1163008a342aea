package org.mcpjava.transport.internal;

import io.netty.channel.ChannelHandler;
import org.mcpjava.wire.ErrorCode;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps connections in total and per remote address, for a whole server. Each accepted channel
 * gets its own {@link AdmissionHandler} ({@link #newHandler(boolean)}), which asks for a place when
 * the channel becomes active: a connection over a cap gets ERROR on stream 0 (OVERLOADED for the
 * total, QUOTA_EXCEEDED per address) and is closed before it costs more.
 *
 * <p>A place is taken at accept time, by compare-and-set, so concurrent accepts on several event
 * loops never admit more than the caps. Refused connections hold no place; they are counted
 * separately while their refusal is in progress (on a TLS server that includes the TLS handshake,
 * so that the ERROR travels encrypted), at most {@code maxRefusing} at once: beyond that a refused
 * connection is closed without an answer, so a flood costs bounded memory.
 *
 * <p>Thread-safe.
 */
public final class ConnectionLimiter {
    /** Refusals in progress at once by default; each may hold a TLS engine until its handshake ends. */
    public static final int DEFAULT_MAX_REFUSING = 256;

    private final int maxTotal;
    private final int maxPerAddress;
    private final int maxRefusing;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger refusing = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /** Caps with {@link #DEFAULT_MAX_REFUSING} refusals in progress. */
    public ConnectionLimiter(int maxTotal, int maxPerAddress) {
        this(maxTotal, maxPerAddress, DEFAULT_MAX_REFUSING);
    }

    /**
     * @param maxTotal connections admitted at once
     * @param maxPerAddress connections admitted at once from one remote address
     * @param maxRefusing refusals in progress at once (beyond them a refused connection is just closed)
     */
    public ConnectionLimiter(int maxTotal, int maxPerAddress, int maxRefusing) {
        if (maxTotal < 1 || maxPerAddress < 1 || maxRefusing < 0) {
            throw new IllegalArgumentException("limits must be positive (refusals zero or more): "
                    + maxTotal + ", " + maxPerAddress + ", " + maxRefusing);
        }
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
        this.maxRefusing = maxRefusing;
    }

    /**
     * The handler for one new channel. Put it after the TLS handler, if any, and say so with
     * {@code afterTls}: a refusal then waits for the TLS handshake (bounded by the TLS handler's
     * handshake timeout) and is written encrypted.
     */
    public ChannelHandler newHandler(boolean afterTls) {
        return new AdmissionHandler(this, afterTls);
    }

    /** Open connections counted now: those admitted and those being refused. */
    public int open() {
        return admitted.get() + refusing.get();
    }

    /** A connection refused: the code for its ERROR frame and why. */
    record Refusal(ErrorCode code, String message) {
    }

    /**
     * Takes a place for a connection from {@code address} ({@code null} when it has none, e.g. a
     * local channel): {@code null} when admitted, then {@link #leave(InetAddress)} gives the place
     * back; else the refusal, and nothing is held.
     */
    Refusal admit(InetAddress address) {
        int now;
        do {
            now = admitted.get();
            if (now >= maxTotal) {
                return new Refusal(ErrorCode.OVERLOADED, "server has its maximum of " + maxTotal + " connections");
            }
        } while (!admitted.compareAndSet(now, now + 1));
        if (address != null && !takeAddressPlace(address)) {
            admitted.decrementAndGet();
            return new Refusal(ErrorCode.QUOTA_EXCEEDED, "address " + address.getHostAddress() + " has its maximum of "
                    + maxPerAddress + " connections");
        }
        return null;
    }

    /** Gives back the place of an admitted connection. */
    void leave(InetAddress address) {
        admitted.decrementAndGet();
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Counts a refusal in progress; {@code false} (nothing counted) when {@code maxRefusing} are. */
    boolean startRefusal() {
        int now;
        do {
            now = refusing.get();
            if (now >= maxRefusing) {
                return false;
            }
        } while (!refusing.compareAndSet(now, now + 1));
        return true;
    }

    /** A refusal counted by {@link #startRefusal()} is over (its channel closed). */
    void endRefusal() {
        refusing.decrementAndGet();
    }

    private boolean takeAddressPlace(InetAddress address) {
        // compute() runs atomically per key, so the check and the increment cannot interleave with
        // another accept or with leave() removing the entry.
        boolean[] taken = new boolean[1];
        perAddress.compute(address, (a, n) -> {
            int held = n == null ? 0 : n;
            if (held >= maxPerAddress) {
                return n;
            }
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }
}
