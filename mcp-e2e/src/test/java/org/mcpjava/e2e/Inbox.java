package org.mcpjava.e2e;

import org.mcpjava.core.Message;
import org.mcpjava.core.MessageListener;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MessageListener} that keeps every message it receives, in arrival order. Thread-safe:
 * listeners run on client event loops while the test thread reads.
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
}
