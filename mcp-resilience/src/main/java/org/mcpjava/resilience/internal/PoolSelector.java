package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.SelectionStrategy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks a pool connection by {@link SelectionStrategy}, health-aware: healthy connections first,
 * unhealthy ones only when no healthy one has room. Respects the per-connection bound. Thread-safe.
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
            Link chosen = choose(true);
            if (chosen == null) {
                chosen = choose(false);
            }
            if (chosen == null) {
                return null;
            }
            AtomicInteger n = chosen.inFlight();
            int v = n.get();
            if (v < maxPerConnection && n.compareAndSet(v, v + 1)) {
                return chosen;
            }
        }
        return null;
    }

    private Link choose(boolean healthyOnly) {
        int size = slots.size();
        int start = Math.floorMod(next.getAndIncrement(), size);
        Link best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            Link l = slots.get((start + i) % size).ready();
            if (l == null) {
                continue;
            }
            int load = l.inFlight().get();
            if (load >= maxPerConnection || (healthyOnly && l.health().unhealthy())) {
                continue;
            }
            if (strategy == SelectionStrategy.ROUND_ROBIN) {
                return l;
            }
            if (load < bestLoad) {
                best = l;
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
