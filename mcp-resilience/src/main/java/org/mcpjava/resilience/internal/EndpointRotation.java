package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.Endpoint;

import java.util.List;

/**
 * Which endpoint a {@link ConnectionSupervisor} dials next: the endpoints in order of preference,
 * a cursor, rounds, and the endpoints that refused for good.
 *
 * <p>A <em>round</em> ends when every endpoint still in the rotation failed once since the last
 * success (or the last round); only then does the supervisor back off. An endpoint that refused
 * the handshake with a terminal code leaves the rotation for good: it is not dialed again, and it
 * does not count towards the round (so the endpoints after it are still tried at once).
 *
 * <p>Not thread-safe: confined to the supervisor's scheduler.
 */
final class EndpointRotation {
    /** What to do after a failed dial. */
    enum Next {
        /** Dial the next endpoint at once: the round is not over. */
        NOW,
        /** Every endpoint in the rotation failed in this round: back off, then start a new one. */
        AFTER_BACKOFF,
        /** Every endpoint refused for good: there is nothing left to dial. */
        NONE_LEFT
    }

    private final List<Endpoint> endpoints;
    private final boolean[] refused;
    private int usable;
    private int cursor;
    private int failedInRound;

    /** @param endpoints in order of preference, at least one */
    EndpointRotation(List<Endpoint> endpoints) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint is needed");
        }
        this.endpoints = List.copyOf(endpoints);
        this.refused = new boolean[this.endpoints.size()];
        this.usable = this.endpoints.size();
    }

    /** The endpoint to dial next. */
    Endpoint next() {
        return endpoints.get(cursor);
    }

    /** The first endpoint (the preferred one). */
    Endpoint first() {
        return endpoints.get(0);
    }

    /**
     * The most preferred endpoint still in the rotation: where a pool slot belongs, and what it
     * probes to fail back to while connected elsewhere.
     */
    Endpoint preferred() {
        for (int i = 0; i < refused.length; i++) {
            if (!refused[i]) {
                return endpoints.get(i);
            }
        }
        return endpoints.get(0); // none left: the supervisor has stopped
    }

    /**
     * A dial to {@code endpoint} succeeded: the round starts again, and the cursor stays on (or, after
     * a fail-back probe, moves to) that endpoint, so that a loss redials it first.
     */
    void connected(Endpoint endpoint) {
        failedInRound = 0;
        int i = endpoints.indexOf(endpoint);
        if (i >= 0) {
            cursor = i;
        }
    }

    /** The dial to {@link #next()} failed (a transient failure): moves on. */
    Next failed() {
        failedInRound++;
        cursor = after(cursor);
        return roundOver();
    }

    /** {@link #next()} refused for good: it leaves the rotation, and the cursor moves on. */
    Next refused() {
        if (!refused[cursor]) {
            refused[cursor] = true;
            usable--;
        }
        if (usable == 0) {
            return Next.NONE_LEFT;
        }
        cursor = after(cursor);
        return roundOver();
    }

    /**
     * {@code endpoint}, dialed out of turn (a fail-back probe), refused for good: it leaves the
     * rotation, and the cursor moves on if it pointed there. The round is not touched: the
     * supervisor is connected elsewhere, so at least one endpoint is left.
     */
    void refused(Endpoint endpoint) {
        int i = endpoints.indexOf(endpoint);
        if (i < 0 || refused[i]) {
            return;
        }
        refused[i] = true;
        usable--;
        if (cursor == i) {
            cursor = after(i);
        }
    }

    /** Moves the cursor to the endpoint after {@code endpoint} (GOAWAY, bad health). */
    void moveAfter(Endpoint endpoint) {
        int i = endpoints.indexOf(endpoint);
        cursor = after(i < 0 ? cursor : i);
    }

    /** Endpoints still in the rotation. */
    int usable() {
        return usable;
    }

    private Next roundOver() {
        if (failedInRound < usable) {
            return Next.NOW;
        }
        failedInRound = 0;
        return Next.AFTER_BACKOFF;
    }

    /** The next index after {@code i} still in the rotation ({@code i} itself if it is the only one). */
    private int after(int i) {
        int n = endpoints.size();
        for (int k = 1; k <= n; k++) {
            int j = (i + k) % n;
            if (!refused[j]) {
                return j;
            }
        }
        return i;
    }
}
