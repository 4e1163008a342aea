package org.mcpjava.resilience.internal;

import io.netty.buffer.Unpooled;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.OfflineQueue;
import org.mcpjava.resilience.OverflowPolicy;
import org.mcpjava.resilience.QueueStats;
import org.mcpjava.resilience.QueuedMessage;
import org.mcpjava.wire.ErrorCode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Every message the client accepted and the server has not acknowledged, in order: pending ones
 * (not yet handed to a connection) and in-flight ones (handed over, awaiting PUBACK / PUBCOMP).
 * The {@link OfflineQueue} journals them, so what is here also survives the client (and, with
 * SQLite, the process).
 *
 * <p><b>Order.</b> Pending messages are handed to the connection strictly by sequence, by one
 * thread at a time (the pump). A message whose hand-over failed because the connection went away
 * returns to pending at its own place, ahead of later ones. Messages still held by a resumable
 * session are re-sent by the session itself (with DUP) before anything new, on the next connection.
 *
 * <p><b>Bounds.</b> At most {@code capacity} messages and {@code maxBytes} payload bytes; the
 * {@link OverflowPolicy} decides what a full outbox does. At most {@code maxInFlight} handed over.
 *
 * <p><b>Threads.</b> Thread-safe: a lock guards the state; futures complete and payloads are handed
 * to the connection outside it.
 */
public final class Outbox {
    private final OfflineQueue journal;
    private final int capacity;
    private final long maxBytes;
    private final OverflowPolicy overflow;
    private final int maxInFlight;
    private final int maxAttempts;
    private final LongSupplier wallClock;

    private final TreeMap<Long, Entry> pending = new TreeMap<>();
    private final Map<Long, Entry> handedOver = new HashMap<>();
    private long nextSequence = 1;
    private long bytes;
    private Link link;
    private boolean pumping;
    private boolean closed;
    private McpException closedBy;
    private long acknowledged;
    private long expired;
    private long dropped;
    private long rejected;

    /** One accepted message; {@code future} is {@code null} for one recovered from an earlier run. */
    private static final class Entry {
        QueuedMessage message;
        final CompletableFuture<Void> future;
        final boolean journaled;
        Link sentOn;

        Entry(QueuedMessage message, CompletableFuture<Void> future, boolean journaled) {
            this.message = message;
            this.future = future;
            this.journaled = journaled;
        }
    }

    /** Futures to settle once the lock is released. */
    private static final class Settle {
        private final List<Object[]> items = new ArrayList<>(2);

        void complete(CompletableFuture<Void> f) {
            if (f != null) {
                items.add(new Object[]{f, null});
            }
        }

        void fail(CompletableFuture<Void> f, Throwable t) {
            if (f != null) {
                items.add(new Object[]{f, t});
            }
        }

        @SuppressWarnings("unchecked")
        void run() {
            for (Object[] i : items) {
                CompletableFuture<Void> f = (CompletableFuture<Void>) i[0];
                if (i[1] == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally((Throwable) i[1]);
                }
            }
            items.clear();
        }
    }

    /**
     * @param maxAttempts retry count at which a message is given up when it is next handed over; 0 for never
     */
    public Outbox(OfflineQueue journal, int capacity, long maxBytes, OverflowPolicy overflow, int maxInFlight,
                  int maxAttempts, LongSupplier wallClock) {
        this.journal = journal;
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.overflow = overflow;
        this.maxInFlight = maxInFlight;
        this.maxAttempts = maxAttempts;
        this.wallClock = wallClock;
    }

    /** Loads what the journal holds from an earlier run, to be sent first. Call once, before anything else. */
    public synchronized int recover() {
        int n = 0;
        for (QueuedMessage m : journal.recover()) {
            pending.put(m.sequence(), new Entry(m, null, true));
            bytes += m.payload().length;
            nextSequence = Math.max(nextSequence, m.sequence() + 1);
            n++;
        }
        return n;
    }

    /**
     * Accepts a message (the payload array is kept, not copied). Completes when the server
     * acknowledged it; fails with QUOTA_EXCEEDED if it does not fit, DEADLINE_EXCEEDED if it expired
     * unsent, FRAME_TOO_LARGE if the connection found it too large for the server's MAX_FRAME, the
     * server's code if refused for good, UNAVAILABLE if the client closed first.
     */
    public CompletableFuture<Void> offer(String topic, int qos, boolean retain, int codec, byte[] payload,
                                         long expiresAtMillis) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        Settle settle = new Settle();
        synchronized (this) {
            if (closed) {
                settle.fail(future, new McpException(closedBy.code(), "the client stopped (" + closedBy.detail()
                        + "); the message was not accepted", closedBy));
            } else if (!makeRoom(payload.length, settle)) {
                rejected++;
                settle.fail(future, new McpException(ErrorCode.QUOTA_EXCEEDED, "offline queue is full ("
                        + size() + " messages, " + bytes + " bytes; limits " + capacity + ", " + maxBytes + ")"));
            } else {
                QueuedMessage m = new QueuedMessage(nextSequence++, topic, qos, retain, codec, payload, expiresAtMillis, 0);
                // QoS 0 sent straight away is not worth a journal entry: at most once allows losing it.
                Entry e = new Entry(m, future, qos > 0 || link == null);
                if (e.journaled) {
                    journal.append(m);
                }
                pending.put(m.sequence(), e);
                bytes += payload.length;
            }
        }
        settle.run();
        pump();
        return future;
    }

    private boolean makeRoom(int size, Settle settle) {
        if (size > maxBytes) {
            return false;
        }
        if (size() < capacity && bytes + size <= maxBytes) {
            return true;
        }
        purgeExpired(settle);
        while (size() >= capacity || bytes + size > maxBytes) {
            if (overflow != OverflowPolicy.DROP_OLDEST || pending.isEmpty()) {
                return false;
            }
            Entry oldest = pending.pollFirstEntry().getValue();
            forget(oldest);
            dropped++;
            settle.fail(oldest.future, new McpException(ErrorCode.QUOTA_EXCEEDED,
                    "dropped from the full offline queue to make room for a newer message"));
        }
        return true;
    }

    private void purgeExpired(Settle settle) {
        long now = wallClock.getAsLong();
        for (Iterator<Entry> it = pending.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.message.expiredAt(now)) {
                it.remove();
                forget(e);
                expired++;
                settle.fail(e.future, expiredError(e));
            }
        }
    }

    private void forget(Entry e) {
        bytes -= e.message.payload().length;
        if (e.journaled) {
            journal.remove(e.message.sequence());
        }
    }

    private static McpException expiredError(Entry e) {
        return new McpException(ErrorCode.DEADLINE_EXCEEDED, "message " + e.message.sequence() + " to "
                + e.message.topic() + " expired in the offline queue");
    }

    // ------------------------------------------------------------------ connection

    /** {@code l} is up: what is pending goes to it, after what the session re-sends. */
    public void linkUp(Link l) {
        synchronized (this) {
            if (closed) {
                return;
            }
            link = l;
            for (Entry e : handedOver.values()) {
                e.sentOn = l; // a resumable session re-sends these on l
            }
        }
        pump();
    }

    /** {@code l} takes no more: nothing new goes to it; messages in flight on it count one more attempt. */
    public synchronized void linkDown(Link l) {
        if (link == l) {
            link = null;
        }
        for (Entry e : handedOver.values()) {
            if (e.sentOn == l && e.message.qos() > 0) {
                e.message = e.message.withAttempts(e.message.attempts() + 1);
                journal.attempts(e.message.sequence(), e.message.attempts());
            }
        }
    }

    /** Hands pending messages to the connection, in order, while there is room in flight. */
    public void pump() {
        synchronized (this) {
            if (pumping) {
                return; // the pumping thread re-examines the state before it stops
            }
            pumping = true;
        }
        List<Entry> batch = new ArrayList<>();
        Settle settle = new Settle();
        try {
            while (true) {
                Link l;
                long now = wallClock.getAsLong();
                synchronized (this) {
                    batch.clear();
                    l = link;
                    while (l != null && !closed && handedOver.size() < maxInFlight && !pending.isEmpty() && batch.size() < 256) {
                        Entry e = pending.pollFirstEntry().getValue();
                        if (e.message.expiredAt(now)) {
                            forget(e);
                            expired++;
                            settle.fail(e.future, expiredError(e));
                        } else if (maxAttempts > 0 && e.message.attempts() >= maxAttempts) {
                            forget(e);
                            dropped++;
                            settle.fail(e.future, new McpException(ErrorCode.UNAVAILABLE, "message " + e.message.sequence()
                                    + " given up after " + e.message.attempts() + " attempts"));
                        } else {
                            e.sentOn = l;
                            handedOver.put(e.message.sequence(), e);
                            batch.add(e);
                        }
                    }
                    if (batch.isEmpty()) {
                        pumping = false;
                        break;
                    }
                }
                settle.run();
                for (Entry e : batch) {
                    handOver(l, e, now);
                }
            }
        } catch (RuntimeException | Error t) {
            synchronized (this) {
                pumping = false;
            }
            throw t;
        }
        settle.run();
    }

    private void handOver(Link l, Entry e, long now) {
        QueuedMessage m = e.message;
        long expirySeconds = m.expiresAtMillis() == 0 ? 0 : Math.max(1, (m.expiresAtMillis() - now + 999) / 1000);
        Payload payload = Payload.of(m.codec(), Unpooled.wrappedBuffer(m.payload()));
        CompletableFuture<Void> sent;
        try {
            sent = l.publish(m.topic(), m.qos(), m.retain(), payload, expirySeconds);
        } catch (RuntimeException ex) {
            payload.release();
            sent = CompletableFuture.failedFuture(ex);
        }
        sent.whenComplete((v, error) -> settled(e, l, error));
    }

    private void settled(Entry e, Link l, Throwable error) {
        Settle settle = new Settle();
        boolean pumpAgain = true;
        synchronized (this) {
            if (handedOver.get(e.message.sequence()) != e) {
                return; // the outbox closed meanwhile
            }
            handedOver.remove(e.message.sequence());
            McpException m = McpException.find(error);
            int code = m == null ? -1 : m.code();
            if (error == null) {
                forget(e);
                acknowledged++;
                settle.complete(e.future);
            } else if (e.message.qos() > 0 && !closed && code == ErrorCode.UNAVAILABLE.code()) {
                // The connection is going or gone: it did not take the message, or closed before the
                // answer. Again, in order, on the next one. Every later hand-over to it fails the same
                // way (its event loop runs them in order), so stop using it now.
                e.sentOn = null;
                pending.put(e.message.sequence(), e);
                if (link == l) {
                    link = null;
                }
            } else if (e.message.qos() > 0 && !closed && code == ErrorCode.OVERLOADED.code()) {
                // Too many waiting for the server's window: again once an acknowledgement frees room.
                e.sentOn = null;
                pending.put(e.message.sequence(), e);
                pumpAgain = false;
            } else {
                // Final: a NACK other than OVERLOADED, FRAME_TOO_LARGE (the connection would not send
                // it to this server: never sent, it must not block the queue), a QoS 0 write failure.
                forget(e);
                dropped++;
                settle.fail(e.future, m != null ? m : error);
            }
        }
        settle.run();
        if (pumpAgain) {
            pump();
        }
    }

    // ------------------------------------------------------------------ state

    /** Completes when everything accepted so far is durable in the journal. */
    public CompletableFuture<Void> flush() {
        return journal.flush();
    }

    /** Messages accepted and not yet acknowledged. */
    public synchronized int size() {
        return pending.size() + handedOver.size();
    }

    /** The counters. */
    public synchronized QueueStats stats() {
        return new QueueStats(size(), handedOver.size(), acknowledged, expired, dropped, rejected);
    }

    /**
     * Stops: nothing more is handed over or accepted; the futures of what is left fail with
     * UNAVAILABLE. The messages stay in the journal for the next client.
     */
    public void close() {
        close(new McpException(ErrorCode.UNAVAILABLE, "client closed"));
    }

    /**
     * Stops as {@link #close()} does, the futures failing with {@code cause}'s code (e.g. the
     * server's terminal refusal). The messages stay in the journal. Only the first close counts.
     */
    public void close(McpException cause) {
        Settle settle = new Settle();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closedBy = cause;
            link = null;
            McpException why = new McpException(cause.code(), cause.detail()
                    + " before the server acknowledged the message; it stays in the offline queue", cause);
            for (Entry e : pending.values()) {
                settle.fail(e.future, why);
            }
            for (Entry e : handedOver.values()) {
                settle.fail(e.future, why);
            }
            pending.clear();
            handedOver.clear();
        }
        settle.run();
    }
}
