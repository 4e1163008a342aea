package org.mcpjava.resilience.internal;

import org.mcpjava.broker.topic.Filter;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Message;
import org.mcpjava.core.MessageListener;
import org.mcpjava.wire.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The client's subscriptions, kept across connections, and the dispatch of incoming messages to
 * their listeners. A subscription is sent when it is made (if connected) and again on a new
 * connection whose session was not resumed, or whose SUBACK never came; an unsubscribe made while
 * disconnected is sent once a resumed session (which still holds the subscription) is back.
 *
 * <p>Thread-safe. Listeners run on the I/O thread that received the message.
 */
public final class SubscriptionRegistry implements MessageListener {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionRegistry.class);

    private final MessageListener fallback;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<Void>> pendingUnsubscribes = new LinkedHashMap<>();
    private volatile Subscription[] snapshot = new Subscription[0];
    private Link link;
    private boolean closed;
    private McpException closedBy;

    private static final class Subscription {
        final String raw;
        final Filter filter;
        final int qos;
        final MessageListener listener;
        final CompletableFuture<Integer> granted = new CompletableFuture<>();
        boolean confirmed;

        Subscription(String raw, Filter filter, int qos, MessageListener listener) {
            this.raw = raw;
            this.filter = filter;
            this.qos = qos;
            this.listener = listener;
        }
    }

    /** @param fallback receives messages no subscription matches (e.g. of a resumed session), or {@code null} */
    public SubscriptionRegistry(MessageListener fallback) {
        this.fallback = fallback;
    }

    /** Adds (or replaces) the subscription to {@code filter}; completes with the granted QoS once a server granted it. */
    public CompletableFuture<Integer> subscribe(String filter, int qos, MessageListener listener) {
        Subscription s;
        Link l;
        try {
            if (qos < 0 || qos > 2) {
                throw new IllegalArgumentException("qos must be 0-2: " + qos);
            }
            s = new Subscription(filter, Filter.parse(filter), qos, listener);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(closedBy);
            }
            Subscription old = subscriptions.put(filter, s);
            if (old != null) {
                old.granted.completeExceptionally(new McpException(ErrorCode.CANCELLED, "replaced by a new subscription to " + filter));
            }
            CompletableFuture<Void> unsubscribing = pendingUnsubscribes.remove(filter);
            if (unsubscribing != null) {
                unsubscribing.completeExceptionally(new McpException(ErrorCode.CANCELLED, "subscribed again to " + filter));
            }
            refresh();
            l = link;
        }
        if (l != null) {
            send(l, List.of(s));
        }
        return s.granted;
    }

    /** Removes the subscription to {@code filter}; completes once no server holds it any more. */
    public CompletableFuture<Void> unsubscribe(String filter) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Link l;
        synchronized (this) {
            if (closed) {
                done.completeExceptionally(closedBy); // no connection will ever come to send it
                return done;
            }
            Subscription s = subscriptions.remove(filter);
            if (s == null) {
                done.complete(null);
                return done;
            }
            s.granted.completeExceptionally(new McpException(ErrorCode.CANCELLED, "unsubscribed from " + filter));
            refresh();
            l = link;
            if (l == null) {
                pendingUnsubscribes.put(filter, done);
                return done;
            }
        }
        sendUnsubscribe(l, filter, done);
        return done;
    }

    private void sendUnsubscribe(Link l, String filter, CompletableFuture<Void> done) {
        l.unsubscribe(List.of(filter)).whenComplete((v, e) -> {
            if (e == null) {
                done.complete(null);
                return;
            }
            synchronized (this) {
                if (!closed && !subscriptions.containsKey(filter)) {
                    pendingUnsubscribes.put(filter, done); // again on the next connection
                    return;
                }
            }
            done.completeExceptionally(e);
        });
    }

    /** A connection is up: re-subscribe what the server may not hold, send pending unsubscribes. */
    public void linkUp(Link l) {
        List<Subscription> resend = new ArrayList<>();
        Map<String, CompletableFuture<Void>> unsubscribes;
        boolean present = l.sessionPresent();
        synchronized (this) {
            if (closed) {
                return;
            }
            link = l;
            for (Subscription s : subscriptions.values()) {
                if (!present || !s.confirmed) {
                    s.confirmed = false;
                    resend.add(s);
                }
            }
            unsubscribes = new LinkedHashMap<>(pendingUnsubscribes);
            pendingUnsubscribes.clear();
        }
        if (!resend.isEmpty()) {
            log.debug("{} subscriptions sent again on {} (session {})", resend.size(), l.endpoint(),
                    present ? "resumed" : "new");
            send(l, resend);
        }
        for (Map.Entry<String, CompletableFuture<Void>> u : unsubscribes.entrySet()) {
            if (present) {
                sendUnsubscribe(l, u.getKey(), u.getValue());
            } else {
                u.getValue().complete(null); // a new session holds no subscriptions
            }
        }
    }

    /** {@code l} is gone. */
    public synchronized void linkDown(Link l) {
        if (link == l) {
            link = null;
        }
    }

    private void send(Link l, List<Subscription> batch) {
        Map<String, Integer> filters = new LinkedHashMap<>();
        for (Subscription s : batch) {
            filters.put(s.raw, s.qos);
        }
        l.subscribe(filters).whenComplete((codes, e) -> {
            if (e != null) {
                return; // unconfirmed: sent again on the next connection
            }
            for (int i = 0; i < batch.size(); i++) {
                Subscription s = batch.get(i);
                int code = i < codes.length ? codes[i] : 0x80;
                if (code == 0x80) {
                    synchronized (this) {
                        if (subscriptions.get(s.raw) == s) {
                            subscriptions.remove(s.raw);
                            refresh();
                        }
                    }
                    s.granted.completeExceptionally(new McpException(ErrorCode.TOPIC_INVALID,
                            "server refused the subscription to " + s.raw));
                } else {
                    synchronized (this) {
                        s.confirmed = true;
                    }
                    s.granted.complete(code);
                }
            }
        });
    }

    private void refresh() {
        snapshot = subscriptions.values().toArray(new Subscription[0]);
    }

    /** Number of subscriptions. */
    public synchronized int size() {
        return subscriptions.size();
    }

    /** Dispatches one incoming message to every matching subscription's listener. */
    @Override
    public void onMessage(Message m) {
        boolean handled = false;
        for (Subscription s : snapshot) {
            if (s.filter.matches(m.topic())) {
                handled = true;
                invoke(s.listener, m);
            }
        }
        if (!handled) {
            if (fallback != null) {
                invoke(fallback, m);
            } else {
                log.warn("message on {} matches no subscription (set ResilientClient.Builder.messageListener)", m.topic());
            }
        }
    }

    private static void invoke(MessageListener l, Message m) {
        try {
            l.onMessage(m);
        } catch (RuntimeException e) {
            log.warn("message listener failed on {}", m.topic(), e);
        }
    }

    /** Fails what is pending with UNAVAILABLE; keeps nothing. */
    public void close() {
        close(new McpException(ErrorCode.UNAVAILABLE, "client closed"));
    }

    /** Fails what is pending (and later calls) with {@code why}; keeps nothing. Only the first close counts. */
    public void close(McpException why) {
        List<CompletableFuture<?>> fail = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closedBy = why;
            link = null;
            for (Subscription s : subscriptions.values()) {
                fail.add(s.granted);
            }
            fail.addAll(pendingUnsubscribes.values());
            pendingUnsubscribes.clear();
        }
        for (CompletableFuture<?> f : fail) {
            f.completeExceptionally(why);
        }
    }
}
