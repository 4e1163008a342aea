package org.mcpjava.observability.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mcpjava.broker.Broker;
import org.mcpjava.broker.Session;
import org.mcpjava.core.Connection;
import org.mcpjava.server.McpServer;

import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The JSON documents of the admin API, built from a server's live state. */
final class AdminViews {
    private final ObjectMapper json;
    private final ConnectionTracker tracker;

    AdminViews(ObjectMapper json, ConnectionTracker tracker) {
        this.json = json;
        this.tracker = tracker;
    }

    /** {@code {"connections": [...]}}: one object per established connection. */
    ObjectNode connections(McpServer server) {
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("connections");
        Broker broker = server == null ? null : server.broker();
        if (server != null) {
            for (Connection c : server.connections()) {
                ObjectNode o = list.addObject();
                String id = c.sessionId();
                o.put("session_id", id);
                SocketAddress remote = c.remoteAddress();
                o.put("remote", remote == null ? null : remote.toString());
                o.put("active", c.isActive());
                Instant since = tracker.establishedAt(c);
                if (since != null) {
                    o.put("established_at", since.toString());
                }
                Duration rtt = c.lastRoundTrip();
                if (rtt != null) {
                    o.put("rtt_us", rtt.toNanos() / 1000);
                }
                Session s = broker == null ? null : broker.session(id);
                if (s != null) {
                    o.put("client_id", s.clientId());
                    o.put("backlog", s.backlog());
                    o.put("inflight", s.inflightCount());
                }
            }
        }
        root.put("count", list.size());
        return root;
    }

    /** {@code {"sessions": [...]}}: one object per pub/sub session, attached or not. */
    ObjectNode sessions(McpServer server) {
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("sessions");
        Broker broker = server == null ? null : server.broker();
        if (broker != null) {
            for (Session s : broker.sessions()) {
                list.add(session(s));
            }
        }
        root.put("count", list.size());
        root.put("pubsub", broker != null);
        return root;
    }

    ObjectNode session(Session s) {
        ObjectNode o = json.createObjectNode();
        o.put("session_id", s.idHex());
        o.put("client_id", s.clientId());
        o.put("owner", s.owner());
        o.put("attached", s.isAttached());
        o.put("durable", s.isDurable());
        o.put("expiry_s", s.expirySeconds());
        o.put("backlog", s.backlog());
        o.put("inflight", s.inflightCount());
        ObjectNode subs = o.putObject("subscriptions");
        for (Map.Entry<String, Integer> e : s.subscriptions().entrySet()) {
            subs.put(e.getKey(), e.getValue());
        }
        return o;
    }
}
