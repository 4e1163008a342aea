package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.StateChange;
import org.mcpjava.resilience.StateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ClientState} with its legal transitions and its listeners. Transitions are made by one
 * thread at a time (the scheduler's); listeners are told synchronously, in order. {@link #state()}
 * may be read from any thread.
 */
public final class StateTracker {
    private static final Logger log = LoggerFactory.getLogger(StateTracker.class);

    private final String name;
    private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
    private volatile ClientState state = ClientState.DISCONNECTED;

    /** A tracker in DISCONNECTED; {@code name} is for log lines. */
    public StateTracker(String name) {
        this.name = name;
    }

    /** The current state. */
    public ClientState state() {
        return state;
    }

    /** Adds a listener for later changes. */
    public void addListener(StateListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener. */
    public void removeListener(StateListener listener) {
        listeners.remove(listener);
    }

    /**
     * Moves to {@code next} and tells the listeners; nothing happens if already there.
     *
     * @throws IllegalStateException for a transition the state machine does not allow (a bug)
     */
    public void moveTo(ClientState next, Endpoint endpoint, Throwable cause) {
        ClientState previous = state;
        if (previous == next) {
            return;
        }
        if (!previous.canMoveTo(next)) {
            throw new IllegalStateException(name + ": illegal transition " + previous + " -> " + next);
        }
        state = next;
        if (next == ClientState.RECONNECTING && cause != null) {
            log.info("{}: {} -> {} ({}: {})", name, previous, next, endpoint, cause.toString());
        } else {
            log.debug("{}: {} -> {} ({})", name, previous, next, endpoint);
        }
        StateChange change = new StateChange(previous, next, endpoint, cause);
        for (StateListener l : listeners) {
            try {
                l.onStateChange(change);
            } catch (RuntimeException e) {
                log.warn("{}: state listener failed on {}", name, change, e);
            }
        }
    }
}
