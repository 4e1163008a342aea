package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.SelectionStrategy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks a pool connection by {@link SelectionStrategy}, health-aware: healthy connections first,
 * unhealthy ones only when no healthy one has room. Respects the per-connection bound. Thread-safe.
 *
 * <p><b>Switches.</b> A slot may replace its connection at any moment (bad health, fail-back) and
 * drains the old one until its in-flight count is zero ({@link LinkDrain}). So that a call never
 * lands on a connection that is being closed, a link is handed out only if, after its count was
 * raised, it is still its slot's ready one; otherwise the count is given back and the choice made
 * again. (The slot writes {@code ready} before it reads the count, the selector raises the count
 * before it reads {@code ready}: one of the two sees the other.)
 */
public final class PoolSelector implements LinkSelector {
    private final List<ConnectionSupervisor> slots;
    private final SelectionStrategy strategy;
    private final int maxPerConnection;
    private final AtomicInteger next = new AtomicInteger();

    /** Chooses among {@code slots}' ready connections. */
    public PoolSelector(List<ConnectionSupervisor> slots, SelectionStrategy strategy, int maxPerConnection) {
        this.slots = List.copyOf(slots);
        this.strategy = strategy;
        this.maxPerConnection = maxPerConnection;
    }

    @Override
    public Link acquire() {
        for (int tries = 0; tries < 8; tries++) {
            ConnectionSupervisor slot = choose(true);
            if (slot == null) {
                slot = choose(false);
            }
            if (slot == null) {
                return null;
            }
            Link chosen = slot.ready();
            if (chosen == null) {
                continue;
            }
            AtomicInteger n = chosen.inFlight();
            int v = n.get();
            if (v < maxPerConnection && n.compareAndSet(v, v + 1)) {
                if (slot.ready() == chosen) {
                    return chosen;
                }
                n.decrementAndGet(); // replaced meanwhile: it drains, the call goes elsewhere
            }
        }
        return null;
    }

    private ConnectionSupervisor choose(boolean healthyOnly) {
        int size = slots.size();
        int start = Math.floorMod(next.getAndIncrement(), size);
        ConnectionSupervisor best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            ConnectionSupervisor s = slots.get((start + i) % size);
            Link l = s.ready();
            if (l == null) {
                continue;
            }
            int load = l.inFlight().get();
            if (load >= maxPerConnection || (healthyOnly && l.health().unhealthy())) {
                continue;
            }
            if (strategy == SelectionStrategy.ROUND_ROBIN) {
                return s;
            }
            if (load < bestLoad) {
                best = s;
                bestLoad = load;
            }
        }
        return best;
    }

    @Override
    public boolean anyReady() {
        for (ConnectionSupervisor s : slots) {
            if (s.ready() != null) {
                return true;
            }
        }
        return false;
    }
}
