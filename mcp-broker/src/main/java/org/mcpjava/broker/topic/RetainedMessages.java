package org.mcpjava.broker.topic;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The retained message of each topic: the last PUBLISH with RETAIN, sent to every new
 * subscription whose filter matches. Thread-safe (a {@link ConcurrentHashMap}); the store SPI keeps
 * the durable copy, this is the broker's live view.
 *
 * <p><b>Cost.</b> {@link #put}, {@link #remove} and {@link #get} are O(1). {@link #forEachMatching}
 * is O(1) for a filter without wildcards and otherwise scans every retained topic, O(n x topic
 * length): fine for the thousands of retained topics a broker typically holds, since it runs per
 * subscription, not per message. An index (a trie of topics) would be the next step if that grows.
 *
 * @param <M> the message type
 */
public final class RetainedMessages<M> {
    private final ConcurrentHashMap<String, M> byTopic = new ConcurrentHashMap<>();

    /** Sets the retained message of {@code topic}; returns the one it replaces, or {@code null}. */
    public M put(String topic, M message) {
        return byTopic.put(Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(message, "message"));
    }

    /** Clears the retained message of {@code topic} (a retained empty PUBLISH); returns it, or {@code null}. */
    public M remove(String topic) {
        return byTopic.remove(Objects.requireNonNull(topic, "topic"));
    }

    /** The retained message of {@code topic}, or {@code null}. */
    public M get(String topic) {
        return byTopic.get(Objects.requireNonNull(topic, "topic"));
    }

    /** Number of topics with a retained message. */
    public int size() {
        return byTopic.size();
    }

    /**
     * Calls {@code action} with each retained (topic, message) whose topic a plain filter
     * ({@link Filter#filter()}, without {@code $share/GROUP/}) matches, in no particular order.
     * Weakly consistent: a concurrent put or remove may or may not be seen. Whether a shared
     * subscription receives retained messages is the caller's decision.
     */
    public void forEachMatching(String filter, BiConsumer<String, ? super M> action) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(action, "action");
        if (!Topics.hasWildcards(filter)) {
            M message = byTopic.get(filter);
            if (message != null) {
                action.accept(filter, message);
            }
            return;
        }
        for (Map.Entry<String, M> e : byTopic.entrySet()) {
            if (Topics.matches(filter, e.getKey())) {
                action.accept(e.getKey(), e.getValue());
            }
        }
    }
}
