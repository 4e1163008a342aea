package org.mcpjava.e2e;

import org.mcpjava.core.Message;
import org.mcpjava.core.MessageListener;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * A {@link MessageListener} that keeps every message it receives, in arrival order, for a test to
 * assert on. Thread-safe: listeners run on client event loops while the test thread reads.
 */
final class Inbox implements MessageListener {
    private final List<Message> messages = new ArrayList<>();

    @Override
    public synchronized void onMessage(Message message) {
        messages.add(message);
    }

    /** A snapshot of what arrived so far. */
    synchronized List<Message> messages() {
        return new ArrayList<>(messages);
    }

    synchronized int size() {
        return messages.size();
    }

    /** The payloads, as UTF-8, in arrival order. */
    synchronized List<String> payloads() {
        List<String> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            out.add(m.payloadAsString());
        }
        return out;
    }

    /** How many messages satisfy {@code which}. */
    synchronized long count(Predicate<Message> which) {
        return messages.stream().filter(which).count();
    }

    /** Waits (up to {@link Loopback#WAIT}) until at least {@code n} messages arrived; returns them. */
    List<Message> awaitAtLeast(int n) {
        await().atMost(Loopback.WAIT).until(() -> size() >= n);
        return messages();
    }

    /** Waits until a message with payload {@code text} arrived. */
    void awaitPayload(String text) {
        await().atMost(Loopback.WAIT).until(() -> payloads().contains(text));
    }
}
