package org.mcpjava.core;

/**
 * Receives the messages of a subscription. Called on the connection's event loop, one message at
 * a time per connection, in the order the server sent them: it must not block. The message is
 * acknowledged (PUBACK / PUBREC) after the listener returns, so a QoS 1 message whose listener
 * did not return before a disconnect is delivered again. A listener that throws is logged; the
 * message still counts as delivered.
 */
@FunctionalInterface
public interface MessageListener {
    /** Handles one message. */
    void onMessage(Message message);
}
