package org.mcpjava.resilience;

/**
 * Receives a client's state changes, one at a time and in order, on the client's scheduler thread.
 * It must return quickly and must not block (in particular not on the client it listens to); a
 * listener that throws is logged and does not stop the others.
 */
@FunctionalInterface
public interface StateListener {
    /** Called after the state changed. */
    void onStateChange(StateChange change);
}
