package org.mcpjava.broker.topic;

/**
 * Receives the subscribers that a PUBLISH goes to, from {@link TopicTree#match}.
 *
 * @param <S> the subscriber type (typically a session)
 */
@FunctionalInterface
public interface MatchVisitor<S> {
    /**
     * One delivery: {@code subscriber} gets the message at the lower of the publish QoS and
     * {@code maxQos}.
     *
     * @param subscriber a matching subscriber, or the chosen member of a matching share group
     * @param maxQos     the subscription's maximum QoS (0-2); for overlapping plain
     *                   subscriptions, the highest of them
     */
    void onMatch(S subscriber, int maxQos);
}
