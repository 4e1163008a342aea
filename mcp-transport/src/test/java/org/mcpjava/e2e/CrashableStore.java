package org.mcpjava.e2e;

import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.SessionRecord;
import org.mcpjava.broker.store.SessionStore;
import org.mcpjava.broker.store.StoredMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link SessionStore} that crashes on cue, for tests that need a server crash at an exact point
 * of a message's life. Mutations are committed at once to a {@link InMemorySessionStore} (the
 * "disk", which outlives the server) until the mutation named by {@link #holdFrom} comes: from it
 * on, mutations are held back uncommitted, in order, and barriers do not complete, as if the
 * store's writer had stalled. {@link #close()} (the server stopping) is the crash: what was held is
 * lost. A new server opened on a new {@code CrashableStore} over the same disk sees what was
 * committed before.
 *
 * <p>Mutation names are the {@link SessionStore} method names, and for {@code updateOutbound}
 * the method name, a colon and the state (e.g. {@code updateOutbound:RELEASED}). Thread-safe.
 */
final class CrashableStore implements SessionStore {
    private final InMemorySessionStore disk;
    private final ThreadLocal<List<Mutation>> openGroup = new ThreadLocal<>();
    private final List<String> held = new ArrayList<>();
    private String holdFrom;
    private boolean holding;
    private boolean crashed;

    CrashableStore(InMemorySessionStore disk) {
        this.disk = disk;
    }

    /** From the next mutation called {@code name} on, hold everything back. */
    synchronized void holdFrom(String name) {
        this.holdFrom = name;
    }

    /** The names of the mutations held back so far. */
    synchronized List<String> held() {
        return new ArrayList<>(held);
    }

    private record Mutation(String name, Runnable apply) {
    }

    private void mutate(String name, Runnable apply) {
        List<Mutation> group = openGroup.get();
        if (group != null) {
            group.add(new Mutation(name, apply));
        } else {
            commitOrHold(List.of(new Mutation(name, apply)));
        }
    }

    /** Commits {@code unit} or, if holding has begun or begins with it, holds all of it: a group is never split. */
    private synchronized void commitOrHold(List<Mutation> unit) {
        if (crashed) {
            return;
        }
        for (Mutation m : unit) {
            holding |= m.name().equals(holdFrom);
        }
        for (Mutation m : unit) {
            if (holding) {
                held.add(m.name());
            } else {
                m.apply().run();
            }
        }
    }

    @Override
    public List<SessionRecord> load() {
        return disk.load();
    }

    @Override
    public Map<String, StoredMessage> loadRetained() {
        return disk.loadRetained();
    }

    @Override
    public void saveSession(byte[] id, String clientId, String owner, long expirySeconds, long nextPacketId) {
        byte[] k = id.clone();
        mutate("saveSession", () -> disk.saveSession(k, clientId, owner, expirySeconds, nextPacketId));
    }

    @Override
    public void markDisconnected(byte[] id, long at) {
        byte[] k = id.clone();
        mutate("markDisconnected", () -> disk.markDisconnected(k, at));
    }

    @Override
    public void deleteSession(byte[] id) {
        byte[] k = id.clone();
        mutate("deleteSession", () -> disk.deleteSession(k));
    }

    @Override
    public void saveSubscription(byte[] id, String filter, int maxQos) {
        byte[] k = id.clone();
        mutate("saveSubscription", () -> disk.saveSubscription(k, filter, maxQos));
    }

    @Override
    public void deleteSubscription(byte[] id, String filter) {
        byte[] k = id.clone();
        mutate("deleteSubscription", () -> disk.deleteSubscription(k, filter));
    }

    @Override
    public void addOutbound(byte[] id, OutboundEntry entry) {
        byte[] k = id.clone();
        mutate("addOutbound", () -> disk.addOutbound(k, entry));
    }

    @Override
    public void updateOutbound(byte[] id, long sequence, long packetId, OutboundState state) {
        byte[] k = id.clone();
        mutate("updateOutbound:" + state, () -> disk.updateOutbound(k, sequence, packetId, state));
    }

    @Override
    public void removeOutbound(byte[] id, long sequence) {
        byte[] k = id.clone();
        mutate("removeOutbound", () -> disk.removeOutbound(k, sequence));
    }

    @Override
    public void addInboundQos2(byte[] id, long packetId) {
        byte[] k = id.clone();
        mutate("addInboundQos2", () -> disk.addInboundQos2(k, packetId));
    }

    @Override
    public void removeInboundQos2(byte[] id, long packetId) {
        byte[] k = id.clone();
        mutate("removeInboundQos2", () -> disk.removeInboundQos2(k, packetId));
    }

    @Override
    public void putRetained(String topic, StoredMessage message) {
        mutate("putRetained", () -> disk.putRetained(topic, message));
    }

    /** Collects the calling thread's mutations and commits (or holds) them together, in order. */
    @Override
    public void group(Runnable body) {
        if (openGroup.get() != null) {
            body.run();
            return;
        }
        List<Mutation> ops = new ArrayList<>();
        openGroup.set(ops);
        try {
            body.run();
        } finally {
            openGroup.remove();
            if (!ops.isEmpty()) {
                commitOrHold(ops);
            }
        }
    }

    /** Complete at once while nothing is held; never once something is (the writer stalled). */
    @Override
    public synchronized CompletableFuture<Void> barrier() {
        return held.isEmpty() ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
    }

    /** The crash: everything held is lost, later mutations too. The disk stays. */
    @Override
    public synchronized void close() {
        crashed = true;
    }

    /** Stops committing (a crash is coming): used before the server is closed. */
    synchronized void crash() {
        crashed = true;
    }
}
