package org.mcpjava.resilience.internal;

import org.mcpjava.core.McpException;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.ManualScheduler;
import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.resilience.StateChange;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;

/** A supervisor on a manual clock and a fake dialer, with everything it reports recorded. */
final class SupervisorFixture {
    static final Endpoint A = new Endpoint("a.example", 1);
    static final Endpoint B = new Endpoint("b.example", 2);
    static final HealthPolicy NO_PROBES = HealthPolicy.defaults().checkInterval(Duration.ZERO);
    /** The builders' default terminal refusals. */
    static final Set<Integer> TERMINAL = Set.of(ErrorCode.UNAUTHENTICATED.code(), ErrorCode.PERMISSION_DENIED.code(),
            ErrorCode.UNSUPPORTED_VERSION.code());

    final ManualScheduler clock = new ManualScheduler();
    final FakeDialer dialer = new FakeDialer(clock);
    final List<Link> up = new CopyOnWriteArrayList<>();
    final List<Link> down = new CopyOnWriteArrayList<>();
    final List<StateChange> changes = new CopyOnWriteArrayList<>();
    final List<McpException> gaveUp = new CopyOnWriteArrayList<>();
    final StateTracker states = new StateTracker("test");
    final ConnectionSupervisor supervisor;
    final HealthPolicy health;

    SupervisorFixture(List<Endpoint> endpoints, ReconnectPolicy policy, HealthPolicy health, boolean overlap,
                      DoubleSupplier random) {
        this(endpoints, policy, health, overlap, false, random, TERMINAL);
    }

    SupervisorFixture(List<Endpoint> endpoints, ReconnectPolicy policy, HealthPolicy health, boolean overlap,
                      DoubleSupplier random, Set<Integer> terminalRefusals) {
        this(endpoints, policy, health, overlap, false, random, terminalRefusals);
    }

    SupervisorFixture(List<Endpoint> endpoints, ReconnectPolicy policy, HealthPolicy health, boolean overlap,
                      boolean failBack, DoubleSupplier random, Set<Integer> terminalRefusals) {
        this.health = health;
        states.addListener(changes::add);
        supervisor = new ConnectionSupervisor(new SupervisorSettings("test", endpoints, policy, health, overlap, failBack,
                Duration.ofSeconds(10), terminalRefusals), dialer, clock, random, new ConnectionSupervisor.Owner() {
                    @Override
                    public void linkUp(Link link) {
                        up.add(link);
                    }

                    @Override
                    public void linkDown(Link link, Throwable cause) {
                        down.add(link);
                    }

                    @Override
                    public void gaveUp(McpException cause) {
                        gaveUp.add(cause);
                    }
                }, states);
    }

    /** A pool slot: overlap and fail-back, no health probes, jitter at its midpoint (none). */
    static SupervisorFixture poolSlot(Endpoint... endpoints) {
        return new SupervisorFixture(List.of(endpoints), ReconnectPolicy.defaults(), NO_PROBES, true, true, () -> 0.5,
                TERMINAL);
    }

    static SupervisorFixture session(Endpoint... endpoints) {
        return new SupervisorFixture(List.of(endpoints), ReconnectPolicy.defaults(), NO_PROBES, false, () -> 0.5);
    }

    List<ClientState> stateHistory() {
        return changes.stream().map(StateChange::current).toList();
    }
}
