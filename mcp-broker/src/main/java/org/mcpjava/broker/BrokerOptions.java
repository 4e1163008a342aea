package org.mcpjava.broker;

import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.broker.store.SessionStore;

import java.util.function.LongSupplier;

/**
 * The broker's settings, validated and frozen. Build with {@link #builder()}.
 *
 * @param store              where durable sessions and retained messages live
 * @param maxQueuedPerSession messages (any QoS) queued for one session beyond its window; QoS 0 is
 *                           dropped first when full, then new messages for that session are dropped
 *                           (counted in {@link BrokerStats})
 * @param maxSessionExpirySeconds the longest SESSION_EXPIRY_S granted
 * @param wallClock          epoch milliseconds, for message and session expiry (tests move it)
 * @param retryBaseMillis    first delay before re-sending a PUBLISH a client refused with NACK(OVERLOADED)
 * @param retryMaxMillis     cap of that exponential backoff
 */
public record BrokerOptions(SessionStore store, int maxQueuedPerSession, long maxSessionExpirySeconds,
                            LongSupplier wallClock, long retryBaseMillis, long retryMaxMillis) {
    public BrokerOptions {
        if (store == null || wallClock == null) {
            throw new IllegalArgumentException("store and wallClock are required");
        }
        if (maxQueuedPerSession < 1) {
            throw new IllegalArgumentException("maxQueuedPerSession must be positive: " + maxQueuedPerSession);
        }
        if (maxSessionExpirySeconds < 0 || retryBaseMillis < 1 || retryMaxMillis < retryBaseMillis) {
            throw new IllegalArgumentException("bad expiry or retry settings: " + maxSessionExpirySeconds
                    + ", " + retryBaseMillis + ", " + retryMaxMillis);
        }
    }

    /** Defaults: in-memory store, 10,000 queued per session, expiry up to 7 days, retry 100 ms to 10 s. */
    public static Builder builder() {
        return new Builder();
    }

    /** Fluent construction of {@link BrokerOptions}. */
    public static final class Builder {
        private SessionStore store;
        private int maxQueued = 10_000;
        private long maxExpiry = 7 * 24 * 3600;
        private LongSupplier clock = System::currentTimeMillis;
        private long retryBase = 100;
        private long retryMax = 10_000;

        private Builder() {
        }

        public Builder store(SessionStore store) {
            this.store = store;
            return this;
        }

        public Builder maxQueuedPerSession(int messages) {
            this.maxQueued = messages;
            return this;
        }

        public Builder maxSessionExpirySeconds(long seconds) {
            this.maxExpiry = seconds;
            return this;
        }

        public Builder wallClock(LongSupplier clock) {
            this.clock = clock;
            return this;
        }

        public Builder retryBackoff(long baseMillis, long maxMillis) {
            this.retryBase = baseMillis;
            this.retryMax = maxMillis;
            return this;
        }

        public BrokerOptions build() {
            return new BrokerOptions(store == null ? new InMemorySessionStore() : store, maxQueued, maxExpiry,
                    clock, retryBase, retryMax);
        }
    }
}
