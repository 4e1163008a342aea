package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.internal.McpConnection;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.MetadataKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's MAX_FRAME (WELCOME) bounds what a client publishes: a PUBLISH that would be larger
 * fails its future with FRAME_TOO_LARGE before it is sent (the server would close the connection on
 * it), and the connection and the publishes around it carry on in order. A durable session that
 * comes back to a server with a smaller MAX_FRAME gives up the messages it held that no longer fit
 * (unacknowledged or waiting for the window) instead of re-sending them on every resume.
 */
class OversizePublishE2ETest {
    private static final int SMALL_FRAME = 1024;
    /** 22 (header, crc) + TOPIC entry (3 + 3 bytes of "t/x"). */
    private static final int OVERHEAD = 22 + 3 + 3;
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static final long WAIT_S = Loopback.WAIT.toSeconds();

    private final Loopback loop = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    /** The failure {@code f} completes with (waiting at most {@link Loopback#WAIT}: a guard, not a timing). */
    private static McpException failure(CompletableFuture<Void> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_S, TimeUnit.SECONDS));
        McpException m = McpException.find(e);
        assertNotNull(m, () -> "not an McpException: " + e.getCause());
        return m;
    }

    /** Waits (at most {@link Loopback#WAIT}) until {@code f} succeeded. */
    private static void acknowledged(CompletableFuture<Void> f) throws Exception {
        f.get(WAIT_S, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void aPublishOverTheServersMaxFrameFailsFastAndTheConnectionStaysUp(int qos) throws Exception {
        McpServer server = loop.server(McpServer.builder().maxFrame(SMALL_FRAME));
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(server, b -> b.clientId("sub"));
        McpClient.await(sub.subscribe("t/#", 2, inbox));
        McpClient pub = loop.client(server, b -> b.clientId("pub"));

        String fits = "f".repeat(SMALL_FRAME - OVERHEAD);      // exactly MAX_FRAME
        String over = "o".repeat(SMALL_FRAME - OVERHEAD + 1);  // one byte more
        CompletableFuture<Void> before = pub.publish("t/x", qos, false, Payload.utf8("before"));
        CompletableFuture<Void> tooLarge = pub.publish("t/x", qos, false, Payload.utf8(over));
        CompletableFuture<Void> exact = pub.publish("t/x", qos, false, Payload.utf8(fits));
        CompletableFuture<Void> after = pub.publish("t/x", qos, false, Payload.utf8("after"));

        McpException e = failure(tooLarge);
        assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), e.code(), e.getMessage());
        acknowledged(before);
        acknowledged(exact);
        acknowledged(after);
        inbox.awaitPayload("after");
        assertEquals(List.of("before", fits, "after"), inbox.payloads());
        assertTrue(pub.isActive(), "the server never saw the frame: still connected");
        Loopback.assertEcho(pub, "still here");
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {1, 2})
    void theSizeCountsExpiryAndTheDecoratorsMetadata(int qos) throws Exception {
        McpServer server = loop.server(McpServer.builder().maxFrame(SMALL_FRAME));
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(server, b -> b.clientId("sub"));
        McpClient.await(sub.subscribe("t/#", 2, inbox));
        McpClient pub = loop.client(server, b -> b.clientId("pub")
                .decorator((kind, name) -> Map.of(MetadataKey.TRACEPARENT.wire(), TRACEPARENT)));

        int metadata = OVERHEAD + 3 + TRACEPARENT.length() + 3 + 4; // + TRACEPARENT + MESSAGE_EXPIRY_S
        String fits = "f".repeat(SMALL_FRAME - metadata);
        String over = "o".repeat(SMALL_FRAME - metadata + 1);
        McpException e = failure(pub.publish("t/x", qos, false, Payload.utf8(over), 60));
        assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), e.code(), e.getMessage());
        acknowledged(pub.publish("t/x", qos, false, Payload.utf8(fits), 60));

        inbox.awaitPayload(fits);
        assertEquals(List.of(fits), inbox.payloads());
        assertEquals(TRACEPARENT, inbox.messages().get(0).trace().traceparent());
        assertTrue(pub.isActive());
    }

    @Test
    void aDurableSessionGivesUpWhatNoLongerFitsAfterAReconnectAndCarriesOn() throws Exception {
        // A window of 2 whose acknowledgements never come: the store never commits retained messages.
        HeldStore held = new HeldStore();
        McpServer stuck = loop.server(McpServer.builder().receiveWindow(2)
                .broker(BrokerOptions.builder().store(held).build()));
        loop.beforeClose(() -> held.gate.complete(null));
        ClientSession session = ClientSession.create(60);
        McpClient first = loop.client(stuck, b -> b.session(session));
        String big = "x".repeat(2 * SMALL_FRAME);
        List<String> texts = List.of("a", big, "c", big + "2", "d");
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (String t : texts) {
            // retained, so the broker waits for the store before it acknowledges
            acks.add(first.publish("held/t", 1, true, Payload.utf8(t)));
        }
        // "a" and the big one sent and unacknowledged; "c", the second big one and "d" waiting.
        await().atMost(Loopback.WAIT).until(() -> held.barriers == 2 && session.unacknowledgedCount() == 5);
        ((McpConnection) stuck.connections().get(0)).closeNow();
        await().atMost(Loopback.WAIT).until(() -> !first.isActive());
        assertEquals(5, session.unacknowledgedCount(), "a durable session keeps all of them");

        McpServer small = loop.server(McpServer.builder().maxFrame(SMALL_FRAME));
        Inbox inbox = new Inbox();
        McpClient reader = loop.client(small, b -> b.clientId("reader"));
        McpClient.await(reader.subscribe("held/#", 1, inbox));
        McpClient second = loop.client(small, b -> b.session(session));

        assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), failure(acks.get(1)).code(), "unacknowledged, too large now");
        assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), failure(acks.get(3)).code(), "waited, too large now");
        acknowledged(acks.get(0));
        acknowledged(acks.get(2));
        acknowledged(acks.get(4));
        inbox.awaitPayload("d");
        assertEquals(List.of("a", "c", "d"), inbox.payloads());
        assertEquals(0, session.unacknowledgedCount());
        assertTrue(second.isActive(), "the server never saw the big frames");
        Loopback.assertEcho(second, "still here");
    }
}
