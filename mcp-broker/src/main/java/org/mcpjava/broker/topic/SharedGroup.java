package org.mcpjava.broker.topic;

import java.util.ArrayList;
import java.util.function.Predicate;

/**
 * The members of one share group on one filter ({@code $share/GROUP/FILTER}), each with its
 * maximum QoS, and the round-robin cursor that picks who gets the next message.
 *
 * <p>Membership changes happen under {@link TopicTree}'s write lock; picks happen under its read
 * lock, concurrently, so every method is {@code synchronized} on the group (the cursor moves on
 * each pick). Membership lookups are linear: groups are expected to be small.
 */
final class SharedGroup<S> {
    private final ArrayList<S> members = new ArrayList<>();
    private final ArrayList<Integer> maxQos = new ArrayList<>();
    /** Index of the member whose turn is next; always in [0, size) unless empty. */
    private int cursor;

    /** Adds a member at the end of the round, or replaces its QoS; true if it is new. */
    synchronized boolean put(S subscriber, int qos) {
        int i = members.indexOf(subscriber);
        if (i >= 0) {
            maxQos.set(i, qos);
            return false;
        }
        members.add(subscriber);
        maxQos.add(qos);
        return true;
    }

    /** Removes a member, keeping the turn order of the others; true if it was a member. */
    synchronized boolean remove(S subscriber) {
        int i = members.indexOf(subscriber);
        if (i < 0) {
            return false;
        }
        members.remove(i);
        maxQos.remove(i);
        if (i < cursor) {
            cursor--;
        }
        if (cursor >= members.size()) {
            cursor = 0;
        }
        return true;
    }

    synchronized boolean isEmpty() {
        return members.isEmpty();
    }

    synchronized int size() {
        return members.size();
    }

    /**
     * Picks the next member in turn for which {@code ready} holds, or, if none does, the member
     * whose turn it is anyway (the broker queues for it), and, if {@code advance}, moves the cursor
     * past it (a look that only asks who would get the message leaves the turn where it is).
     * Hands the pick to {@code into}. The group must not be empty.
     */
    synchronized void pick(Predicate<? super S> ready, MatchVisitor<S> into, boolean advance) {
        int n = members.size();
        int i = cursor;
        for (int k = 0; k < n; k++) {
            int candidate = cursor + k < n ? cursor + k : cursor + k - n;
            if (ready.test(members.get(candidate))) {
                i = candidate;
                break;
            }
        }
        if (advance) {
            cursor = i + 1 < n ? i + 1 : 0;
        }
        into.onMatch(members.get(i), maxQos.get(i));
    }
}
