package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Message;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.internal.ClientConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server crashes at exact points of a message's life, with a {@link CrashableStore}: the store
 * stops committing at a chosen mutation, the server dies, and a new server on what was committed
 * resumes the clients' sessions. QoS 2 must stay exactly once and QoS 1 at least once whichever
 * acknowledgement the crash cut off: the server may tell the client nothing (PUBLISH packet id,
 * PUBREL) that it could not repeat after a crash.
 */
class CrashRecoveryE2ETest {
    private final InMemorySessionStore disk = new InMemorySessionStore();
    private final Loopback loop = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private McpServer start(CrashableStore store) {
        return loop.server(McpServer.builder().broker(BrokerOptions.builder().store(store).build()));
    }

    /** The crash: nothing more is committed, the clients' sockets die, the server goes. */
    private static void crash(CrashableStore store, McpServer server, McpClient... clients) throws Exception {
        store.crash();
        for (McpClient c : clients) {
            ((ClientConnection) c.connection()).closeNow();
            c.closeFuture().get(10, TimeUnit.SECONDS);
        }
        server.close();
    }

    private static void publish(McpClient pub, int qos, String text) {
        McpClient.await(pub.publish("crash/x", qos, false, Payload.utf8(text)));
    }

    private static List<String> names(String... texts) {
        return List.of(texts);
    }

    /** Runs m1..m3 through at {@code qos}, then m4 with the store stalling from {@code holdFrom}; crashes; m5..m8 after. */
    private List<Message> crashDuringTheFourthMessage(int qos, String holdFrom) throws Exception {
        CrashableStore store = new CrashableStore(disk);
        McpServer first = start(store);
        ClientSession subSession = ClientSession.create(60);
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(first, b -> b.clientId("sub").session(subSession).messageListener(inbox));
        McpClient.await(sub.subscribe("crash/#", 2, inbox));
        McpClient pub = loop.client(first, b -> b.clientId("pub"));
        for (int i = 1; i <= 3; i++) {
            publish(pub, qos, "m" + i);
        }
        inbox.awaitPayload("m3");
        await().atMost(Loopback.WAIT).until(() -> first.broker().session(subSession.sessionIdHex()).backlog() == 0);

        store.holdFrom(holdFrom);
        publish(pub, qos, "m4");
        inbox.awaitPayload("m4");
        await().atMost(Loopback.WAIT).until(() -> store.held().contains(holdFrom));
        // A round trip on the subscriber's connection: whatever the server answered to its
        // acknowledgement of m4 has reached it.
        McpClient.await(sub.ping());
        crash(store, first, sub, pub);

        McpServer second = start(new CrashableStore(disk));
        McpClient sub2 = loop.client(second, b -> b.clientId("sub").session(subSession).messageListener(inbox));
        assertTrue(sub2.sessionPresent());
        McpClient pub2 = loop.client(second, b -> b.clientId("pub"));
        for (int i = 5; i <= 8; i++) {
            publish(pub2, qos, "m" + i);
        }
        inbox.awaitPayload("m8");
        await().atMost(Loopback.WAIT).until(() -> second.broker().session(subSession.sessionIdHex()).backlog() == 0);
        return inbox.messages();
    }

    private static List<String> payloads(List<Message> messages) {
        List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.payloadAsString()));
        return out;
    }

    @Test
    void qos2PublishSentBeforeItsPacketIdWasDurable() throws Exception {
        // The PUBLISH of m4 went out (and was delivered and PUBREC'd) but its packet id never
        // reached the disk: after the crash it must be re-sent under the same id, or the client
        // delivers it twice, and a later message reusing that id would be taken for a duplicate.
        List<Message> got = crashDuringTheFourthMessage(2, "updateOutbound:PUBLISHED");
        assertEquals(names("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"), payloads(got));
    }

    @Test
    void qos2PubrelSentBeforeTheReleaseWasDurable() throws Exception {
        // PUBREC of m4 arrived; the server must not send PUBREL (upon which the client forgets the
        // packet id) before its RELEASED state is durable, or after the crash it re-sends the PUBLISH
        // and the client delivers it again.
        List<Message> got = crashDuringTheFourthMessage(2, "updateOutbound:RELEASED");
        assertEquals(names("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"), payloads(got));
    }

    @Test
    void qos2CompletionLostInTheCrash() throws Exception {
        List<Message> got = crashDuringTheFourthMessage(2, "removeOutbound");
        assertEquals(names("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"), payloads(got));
    }

    @Test
    void qos1AcknowledgementLostInTheCrashIsARedelivery() throws Exception {
        List<Message> got = crashDuringTheFourthMessage(1, "removeOutbound");
        assertEquals(names("m1", "m2", "m3", "m4", "m4", "m5", "m6", "m7", "m8"), payloads(got));
        assertFalse(got.get(3).dup());
        assertTrue(got.get(4).dup(), "the re-delivery is marked DUP");
    }

    @Test
    void publisherResendsWhatTheCrashedServerNeverAcknowledged() throws Exception {
        CrashableStore store = new CrashableStore(disk);
        McpServer first = start(store);
        ClientSession subSession = ClientSession.create(60);
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(first, b -> b.clientId("sub").session(subSession).messageListener(inbox));
        McpClient.await(sub.subscribe("crash/#", 2, inbox));
        ClientSession pubSession = ClientSession.create(60);
        McpClient pub = loop.client(first, b -> b.clientId("pub").session(pubSession));
        publish(pub, 2, "m1");
        publish(pub, 1, "m2");
        inbox.awaitPayload("m2");

        // Routing m3 and m4 never commits: no PUBREC / PUBACK, nobody gets them.
        store.holdFrom("addOutbound");
        CompletableFuture<Void> m3 = pub.publish("crash/x", 2, false, Payload.utf8("m3"));
        CompletableFuture<Void> m4 = pub.publish("crash/x", 1, false, Payload.utf8("m4"));
        await().atMost(Loopback.WAIT).until(() -> store.held().size() >= 2);
        McpClient.await(pub.ping());
        assertFalse(m3.isDone());
        assertFalse(m4.isDone());
        crash(store, first, sub, pub);

        McpServer second = start(new CrashableStore(disk));
        McpClient pub2 = loop.client(second, b -> b.clientId("pub").session(pubSession));
        assertTrue(pub2.sessionPresent());
        CompletableFuture.allOf(m3, m4).get(10, TimeUnit.SECONDS);
        McpClient sub2 = loop.client(second, b -> b.clientId("sub").session(subSession).messageListener(inbox));
        assertTrue(sub2.sessionPresent());
        publish(pub2, 2, "m5");
        inbox.awaitPayload("m5");
        assertEquals(names("m1", "m2", "m3", "m4", "m5"), payloads(inbox.messages()));
    }
}
