package org.mcpjava.store.sqlite.internal;

import java.sql.SQLException;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.StoredMessage;

/**
 * The queued form of each {@code SessionStore} mutation: one small record per call, applied later by
 * the writer. Session ids are copies owned by the record.
 */
public final class Mutations {
    private Mutations() {
    }

    /** {@code saveSession}. */
    public record SaveSession(byte[] id, String clientId, String owner, long expirySeconds, long nextPacketId)
            implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.saveSession(id, clientId, owner, expirySeconds, nextPacketId);
        }
    }

    /** {@code markDisconnected}. */
    public record MarkDisconnected(byte[] id, long at) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.markDisconnected(id, at);
        }
    }

    /** {@code deleteSession}. */
    public record DeleteSession(byte[] id) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.deleteSession(id);
        }
    }

    /** {@code saveSubscription}. */
    public record SaveSubscription(byte[] id, String filter, int maxQos) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.saveSubscription(id, filter, maxQos);
        }
    }

    /** {@code deleteSubscription}. */
    public record DeleteSubscription(byte[] id, String filter) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.deleteSubscription(id, filter);
        }
    }

    /** {@code addOutbound}. */
    public record AddOutbound(byte[] id, OutboundEntry entry) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.addOutbound(id, entry);
        }
    }

    /** {@code updateOutbound}. */
    public record UpdateOutbound(byte[] id, long sequence, long packetId, OutboundState state)
            implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.updateOutbound(id, sequence, packetId, state);
        }
    }

    /** {@code removeOutbound}. */
    public record RemoveOutbound(byte[] id, long sequence) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.removeOutbound(id, sequence);
        }
    }

    /** {@code addInboundQos2}. */
    public record AddInboundQos2(byte[] id, long packetId) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.addInboundQos2(id, packetId);
        }
    }

    /** {@code removeInboundQos2}. */
    public record RemoveInboundQos2(byte[] id, long packetId) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.removeInboundQos2(id, packetId);
        }
    }

    /** {@code putRetained} with a message. */
    public record PutRetained(String topic, StoredMessage message) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.putRetained(topic, message);
        }
    }

    /** {@code putRetained} with {@code null}: clears the topic. */
    public record ClearRetained(String topic) implements StoreOp.Mutation {
        @Override
        public void apply(Statements st) throws SQLException {
            st.clearRetained(topic);
        }
    }
}
