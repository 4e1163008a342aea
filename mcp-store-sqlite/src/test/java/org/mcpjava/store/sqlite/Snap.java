package org.mcpjava.store.sqlite;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.SessionRecord;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.core.TraceContext;

/**
 * Value snapshots of what a store loads, comparable with {@code equals} (the SPI records hold
 * arrays, which compare by identity) and readable in assertion messages.
 */
final class Snap {
    private Snap() {
    }

    /** A message, payload as hex. */
    record Message(String topic, int qos, boolean retain, int codec, String payload, long expiresAt,
                   TraceContext trace) {
        static Message of(StoredMessage m) {
            return new Message(m.topic(), m.qos(), m.retain(), m.codec(), HexFormat.of().formatHex(m.payload()),
                    m.expiresAtMillis(), m.trace());
        }
    }

    /** An outbound entry. */
    record Out(long seq, long packetId, OutboundState state, Message message) {
        static Out of(OutboundEntry e) {
            return new Out(e.sequence(), e.packetId(), e.state(), Message.of(e.message()));
        }
    }

    /** A session; subscriptions keep the store's order, outbound its order. */
    record Session(String clientId, String owner, long expirySeconds, long disconnectedAt, long nextPacketId,
                   Map<String, Integer> subscriptions, List<Out> outbound, Set<Long> inboundQos2) {
        /** A session with only defaults, as created implicitly by a child. */
        static Session empty() {
            return new Session(null, null, 0, 0, 0, Map.of(), List.of(), Set.of());
        }
    }

    /** Session id (hex) -> session. */
    static Map<String, Session> sessions(List<SessionRecord> records) {
        Map<String, Session> out = new LinkedHashMap<>();
        for (SessionRecord r : records) {
            List<Out> outbound = new ArrayList<>();
            r.outbound().forEach(e -> outbound.add(Out.of(e)));
            Session s = new Session(r.clientId(), r.owner(), r.expirySeconds(), r.disconnectedAtMillis(),
                    r.nextPacketId(), new LinkedHashMap<>(r.subscriptions()), outbound, new TreeSet<>(r.inboundQos2()));
            if (out.put(HexFormat.of().formatHex(r.sessionId()), s) != null) {
                throw new AssertionError("session loaded twice: " + HexFormat.of().formatHex(r.sessionId()));
            }
        }
        return out;
    }

    /** Topic -> retained message, in the store's order. */
    static Map<String, Message> retained(Map<String, StoredMessage> retained) {
        Map<String, Message> out = new LinkedHashMap<>();
        retained.forEach((t, m) -> out.put(t, Message.of(m)));
        return out;
    }

    static String hex(byte[] id) {
        return HexFormat.of().formatHex(id);
    }
}
