package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.broker.Session;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.store.sqlite.SqliteSessionStore;

import java.nio.file.Path;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A durable session whose SQLite store holds a message larger than the MAX_FRAME its client
 * announces after a server restart: the restarted server skips that message (counted as dropped,
 * too_large) and delivers the rest in order, instead of sending a frame the client must refuse on
 * every resume; the skipped message leaves the store, so a further restart has nothing left.
 * In-process servers on one database file, real clients over loopback.
 */
class OversizeRestartE2ETest {
    private static final int SMALL_FRAME = 64 * 1024;
    private static final String BIG = "x".repeat(2 * SMALL_FRAME);

    @TempDir
    Path dir;

    private final Loopback loop = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private McpServer server() {
        SqliteSessionStore store = SqliteSessionStore.open(dir.resolve("mcp.db"));
        return loop.server(McpServer.builder().broker(BrokerOptions.builder().store(store).build()));
    }

    private static Session session(McpServer server, ClientSession session) {
        return server.broker().session(session.sessionIdHex());
    }

    @Test
    void aStoredMessageOverTheResumingClientsMaxFrameIsSkippedAfterARestart() {
        McpServer before = server();
        ClientSession session = ClientSession.create(600);
        McpClient first = loop.client(before, b -> b.clientId("sub").session(session));
        McpClient.await(first.subscribe("stored/#", 2, new Inbox()));
        first.close();
        await().atMost(Loopback.WAIT).until(() -> !session(before, session).isAttached());
        McpClient pub = loop.client(before, b -> b.clientId("pub"));
        // Acknowledged once committed: all three are in the database when the server stops.
        McpClient.await(pub.publish("stored/a", 1, false, Payload.utf8("before")));
        McpClient.await(pub.publish("stored/b", 2, false, Payload.utf8(BIG)));
        McpClient.await(pub.publish("stored/b", 2, false, Payload.utf8("after")));
        pub.close();
        before.close();

        McpServer restarted = server();
        assertEquals(3, session(restarted, session).backlog(), "restored from the store");
        Inbox inbox = new Inbox();
        McpClient second = loop.client(restarted, b -> b.clientId("sub").session(session).maxFrame(SMALL_FRAME)
                .messageListener(inbox));
        assertTrue(second.sessionPresent());
        inbox.awaitPayload("after");
        assertEquals(List.of("before", "after"), inbox.payloads());
        assertEquals(1, restarted.broker().stats().droppedTooLarge.sum());
        await().atMost(Loopback.WAIT).until(() -> session(restarted, session).backlog() == 0);
        Loopback.assertEcho(second, "still connected");
        second.close();
        await().atMost(Loopback.WAIT).until(() -> !session(restarted, session).isAttached());
        restarted.close();

        McpServer again = server();
        assertEquals(0, session(again, session).backlog(), "nothing left in the store to send again");
    }
}
