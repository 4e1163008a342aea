package org.mcpjava.broker.topic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * The broker's subscriptions as a trie of filter levels: finds who receives a message published
 * to a topic.
 *
 * <p><b>Delivery rules.</b> For a topic, {@link #match} reports each subscriber with a matching
 * plain filter <em>once</em>, with the highest maximum QoS among its matching filters (MQTT's
 * overlapping subscriptions), and for each matching share group exactly one member, chosen round
 * robin among the members that are ready. A share group is a group name on one filter string:
 * {@code $share/g/a/+} and {@code $share/g/a/#} are two groups. Shared and plain subscriptions are
 * independent, so a subscriber that is also picked by a group is reported once more for it.
 *
 * <p><b>Threads.</b> Thread-safe. Built for many concurrent {@code match} calls and occasional
 * changes: a read-write lock guards the trie. {@code match} walks the topic's levels by index
 * without allocating per level, collects its result under the read lock, and calls the visitor
 * after releasing it, so a visitor may subscribe or unsubscribe. Subscribers are map keys: their
 * {@code equals}/{@code hashCode} must be stable (identity is fine).
 *
 * @param <S> the subscriber type (typically a session)
 */
public final class TopicTree<S> {
    private static final Predicate<Object> ALWAYS_READY = s -> true;

    /** One filter level; the path from the root spells the filter, so a node is a filter. */
    private static final class Node<S> {
        final Node<S> parent;
        /** The level text in the parent ({@code "+"} and {@code "#"} for the wildcard children). */
        final String level;
        LevelTable<Node<S>> children;
        Node<S> plus;
        Node<S> hash;
        /** Plain subscribers of this filter -> max QoS, or null. */
        Map<S, Integer> subscribers;
        /** Share groups on this filter by name, or null. */
        Map<String, SharedGroup<S>> groups;

        Node(Node<S> parent, String level) {
            this.parent = parent;
            this.level = level;
        }

        boolean hasSubscriptions() {
            return subscribers != null || groups != null;
        }

        boolean isUnused() {
            return children == null && plus == null && hash == null && !hasSubscriptions();
        }
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Node<S> root = new Node<>(null, null);
    /** Each subscriber's filters, so that {@link #removeAll} need not walk the trie. */
    private final Map<S, Set<Filter>> bySubscriber = new HashMap<>();
    private int size;

    /**
     * Adds a subscription, or replaces the maximum QoS of the subscriber's existing subscription
     * to the same filter (same {@link Filter#raw()}).
     *
     * @param maxQos 0-2
     */
    public void subscribe(Filter filter, S subscriber, int maxQos) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(subscriber, "subscriber");
        if (maxQos < 0 || maxQos > 2) {
            throw new IllegalArgumentException("maxQos must be 0-2: " + maxQos);
        }
        lock.writeLock().lock();
        try {
            Node<S> node = node(filter.filter(), true);
            boolean added;
            if (filter.isShared()) {
                if (node.groups == null) {
                    node.groups = new HashMap<>(4);
                }
                added = node.groups.computeIfAbsent(filter.shareGroup(), g -> new SharedGroup<>()).put(subscriber, maxQos);
            } else {
                if (node.subscribers == null) {
                    node.subscribers = new HashMap<>(4);
                }
                added = node.subscribers.put(subscriber, maxQos) == null;
            }
            if (added) {
                size++;
                bySubscriber.computeIfAbsent(subscriber, s -> new HashSet<>(4)).add(filter);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes a subscription; returns whether the subscriber had it. */
    public boolean unsubscribe(Filter filter, S subscriber) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(subscriber, "subscriber");
        lock.writeLock().lock();
        try {
            if (!remove(filter, subscriber)) {
                return false;
            }
            Set<Filter> filters = bySubscriber.get(subscriber);
            filters.remove(filter);
            if (filters.isEmpty()) {
                bySubscriber.remove(subscriber);
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes every subscription of a subscriber (its session ended); returns how many. */
    public int removeAll(S subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        lock.writeLock().lock();
        try {
            Set<Filter> filters = bySubscriber.remove(subscriber);
            if (filters == null) {
                return 0;
            }
            for (Filter filter : filters) {
                remove(filter, subscriber);
            }
            return filters.size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Number of subscriptions: (filter, subscriber) pairs, shared ones included. */
    public int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link #match(String, Predicate, MatchVisitor)} with every share group member ready. */
    public void match(String topic, MatchVisitor<S> visitor) {
        match(topic, ALWAYS_READY, visitor);
    }

    /**
     * Reports who receives a message published to {@code topic}: each matching plain subscriber
     * once with its highest max QoS, and one member of each matching share group. A group member
     * is picked round robin among those for which {@code ready} holds (e.g. "its window is not
     * full"); if none is ready, the member whose turn it is gets it anyway. Plain subscribers are
     * reported first, then the group picks.
     *
     * <p>{@code topic} must be a valid topic name; it is not checked here (the PUBLISH path checks
     * it once with {@link Topics#validateTopicName}). {@code ready} runs under the tree's read
     * lock and must be quick and must not call this tree. {@code visitor} runs on the calling
     * thread after the lock is released; if it throws, the remaining deliveries are not reported.
     * A subscription added or removed concurrently may or may not be seen. Allocates only the
     * result, proportional to the number of deliveries.
     */
    public void match(String topic, Predicate<? super S> ready, MatchVisitor<S> visitor) {
        match(topic, ready, visitor, true);
    }

    /**
     * Who {@link #match(String, Predicate, MatchVisitor)} would report, without moving any share
     * group's turn: for checks made before the real delivery (for example "would a full queue get
     * this message?"), which must not make the group skip a member.
     */
    public void peek(String topic, Predicate<? super S> ready, MatchVisitor<S> visitor) {
        match(topic, ready, visitor, false);
    }

    private void match(String topic, Predicate<? super S> ready, MatchVisitor<S> visitor, boolean advance) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(visitor, "visitor");
        Matches<S> matches = new Matches<>();
        lock.readLock().lock();
        try {
            boolean reserved = !topic.isEmpty() && topic.charAt(0) == '$';
            walk(root, topic, 0, !reserved, matches);
            matches.resolve(ready, advance);
        } finally {
            lock.readLock().unlock();
        }
        matches.deliver(visitor);
    }

    /**
     * Collects the nodes under {@code node} that match the topic from {@code start} on.
     *
     * @param start     start of the next topic level, or {@code topic.length() + 1} when the topic
     *                  has no more levels
     * @param wildcards false only at the root of a {@code $} topic, whose first level no wildcard
     *                  matches
     */
    private static <S> void walk(Node<S> node, String topic, int start, boolean wildcards, Matches<S> into) {
        if (wildcards && node.hash != null) {
            into.addNode(node.hash); // '#' matches the parent level too, so also when the topic has ended
        }
        if (start > topic.length()) {
            into.addNode(node);
            return;
        }
        int end = Topics.levelEnd(topic, start);
        if (node.children != null) {
            Node<S> child = node.children.get(topic, start, end);
            if (child != null) {
                walk(child, topic, end + 1, true, into);
            }
        }
        if (wildcards && node.plus != null) {
            walk(node.plus, topic, end + 1, true, into);
        }
    }

    /** The node spelling {@code filter}, created if asked, else {@code null} if absent. */
    private Node<S> node(String filter, boolean create) {
        Node<S> node = root;
        int start = 0;
        while (true) {
            int end = Topics.levelEnd(filter, start);
            node = child(node, filter, start, end, create);
            if (node == null || end == filter.length()) {
                return node;
            }
            start = end + 1;
        }
    }

    private static <S> Node<S> child(Node<S> node, String filter, int start, int end, boolean create) {
        boolean wildcard = end - start == 1 && (filter.charAt(start) == Topics.SINGLE_LEVEL
                || filter.charAt(start) == Topics.MULTI_LEVEL);
        if (wildcard && filter.charAt(start) == Topics.SINGLE_LEVEL) {
            if (node.plus == null && create) {
                node.plus = new Node<>(node, "+");
            }
            return node.plus;
        }
        if (wildcard) {
            if (node.hash == null && create) {
                node.hash = new Node<>(node, "#");
            }
            return node.hash;
        }
        Node<S> child = node.children == null ? null : node.children.get(filter, start, end);
        if (child == null && create) {
            if (node.children == null) {
                node.children = new LevelTable<>();
            }
            child = new Node<>(node, filter.substring(start, end));
            node.children.put(child.level, child);
        }
        return child;
    }

    /** Removes one subscription from the trie (not from {@link #bySubscriber}); prunes empty nodes. */
    private boolean remove(Filter filter, S subscriber) {
        Node<S> node = node(filter.filter(), false);
        if (node == null) {
            return false;
        }
        boolean removed;
        if (filter.isShared()) {
            SharedGroup<S> group = node.groups == null ? null : node.groups.get(filter.shareGroup());
            removed = group != null && group.remove(subscriber);
            if (removed && group.isEmpty()) {
                node.groups.remove(filter.shareGroup());
                if (node.groups.isEmpty()) {
                    node.groups = null;
                }
            }
        } else {
            removed = node.subscribers != null && node.subscribers.remove(subscriber) != null;
            if (removed && node.subscribers.isEmpty()) {
                node.subscribers = null;
            }
        }
        if (removed) {
            size--;
            prune(node);
        }
        return removed;
    }

    private void prune(Node<S> node) {
        while (node != root && node.isUnused()) {
            Node<S> parent = node.parent;
            if (node == parent.plus) {
                parent.plus = null;
            } else if (node == parent.hash) {
                parent.hash = null;
            } else {
                parent.children.remove(node.level);
                if (parent.children.isEmpty()) {
                    parent.children = null;
                }
            }
            node = parent;
        }
    }

    /**
     * The result of one {@link #match}: filled under the read lock, delivered after it. Plain
     * subscribers are merged by subscriber (max QoS) only when more than one node contributes.
     */
    private static final class Matches<S> implements MatchVisitor<S> {
        /** Matching nodes that hold subscriptions; null until the first. */
        private ArrayList<Node<S>> nodes;
        private Object[] subscribers;
        private int[] qos;
        private int count;

        void addNode(Node<S> node) {
            if (node.hasSubscriptions()) {
                if (nodes == null) {
                    nodes = new ArrayList<>(4);
                }
                nodes.add(node);
            }
        }

        /** Merges plain subscribers and picks a member of each group. */
        void resolve(Predicate<? super S> ready, boolean advance) {
            if (nodes == null) {
                return;
            }
            int plainNodes = 0;
            int capacity = 0;
            for (Node<S> node : nodes) {
                if (node.subscribers != null) {
                    plainNodes++;
                    capacity += node.subscribers.size();
                }
                if (node.groups != null) {
                    capacity += node.groups.size();
                }
            }
            subscribers = new Object[capacity];
            qos = new int[capacity];
            Map<S, Integer> positions = plainNodes > 1 ? new HashMap<>(capacity * 2) : null;
            for (Node<S> node : nodes) {
                if (node.subscribers != null) {
                    for (Map.Entry<S, Integer> e : node.subscribers.entrySet()) {
                        addMax(e.getKey(), e.getValue(), positions);
                    }
                }
            }
            for (Node<S> node : nodes) {
                if (node.groups != null) {
                    for (SharedGroup<S> group : node.groups.values()) {
                        group.pick(ready, this, advance);
                    }
                }
            }
        }

        /** Appends a plain subscriber, or raises its QoS if another filter already matched it. */
        private void addMax(S subscriber, int maxQos, Map<S, Integer> positions) {
            if (positions != null) {
                Integer at = positions.putIfAbsent(subscriber, count);
                if (at != null) {
                    qos[at] = Math.max(qos[at], maxQos);
                    return;
                }
            }
            onMatch(subscriber, maxQos);
        }

        /** Appends a delivery (a share group's pick, or a plain subscriber seen first). */
        @Override
        public void onMatch(S subscriber, int maxQos) {
            subscribers[count] = subscriber;
            qos[count] = maxQos;
            count++;
        }

        @SuppressWarnings("unchecked")
        void deliver(MatchVisitor<S> visitor) {
            for (int i = 0; i < count; i++) {
                visitor.onMatch((S) subscribers[i], qos[i]);
            }
        }
    }
}
