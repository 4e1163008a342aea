package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.MessageListener;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.internal.ClientConnection;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataKey;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions that outlive their connections (spec 8, "Retransmission and resume"): a subscriber or
 * publisher whose socket is cut without GOAWAY resumes with the same {@link ClientSession} and
 * nothing is lost, nothing delivered twice at QoS 2, nothing out of order; a resume takes the
 * session over from a live connection; a resume by another principal is refused.
 */
class ResumeE2ETest {
    private final Loopback loop = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    /** Closes the client's socket at once: no GOAWAY, whatever is in flight is cut. */
    private static void cut(McpClient client) {
        ((ClientConnection) client.connection()).closeNow();
    }

    /** Waits for every future; a guard against hangs, not a timing assertion (paranoid leak detection is slow). */
    private static void awaitAll(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    }

    @Test
    void subscriberCutMidStreamResumesWithNothingLostAndNoQos2Twice() throws Exception {
        McpServer server = loop.server(McpServer.builder());
        NumberedStream stream = new NumberedStream("stream", 4000);
        ClientSession session = ClientSession.create(60);
        Inbox inbox = new Inbox();
        int cutAfter = stream.total() / 4;
        McpClient[] first = new McpClient[1];
        MessageListener cutting = m -> {
            inbox.onMessage(m);
            if (inbox.size() == cutAfter) {
                cut(first[0]);
            }
        };
        first[0] = loop.client(server, b -> b.clientId("sub").session(session));
        Map<String, Integer> filters = new LinkedHashMap<>();
        filters.put("stream/q1", 2);
        filters.put("stream/q2", 2);
        assertArrayEquals(new int[] {2, 2}, McpClient.await(first[0].subscribe(filters, cutting)));

        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int seq = 0; seq < stream.total(); seq++) {
            sent.add(pub.publish(stream.topic(seq), NumberedStream.qos(seq), false, Payload.utf8(Integer.toString(seq))));
        }
        first[0].closeFuture().get(Loopback.WAIT.toSeconds(), TimeUnit.SECONDS);
        int beforeCut = inbox.size();
        assertTrue(beforeCut < stream.total(), "the cut came mid-stream");

        // The same ClientSession: its QoS 2 packet ids received and not yet released go along.
        McpClient second = loop.client(server, b -> b.clientId("sub").session(session).messageListener(inbox));
        assertTrue(second.sessionPresent(), "the session was kept for its expiry");
        assertEquals(session.sessionIdHex(), second.sessionId());
        awaitAll(sent);
        await().atMost(Loopback.WAIT).until(() -> stream.distinct(inbox.messages()) == stream.total());
        int redeliveries = stream.assertComplete(inbox.messages());
        await().atMost(Loopback.WAIT).until(() -> server.broker().session(session.sessionIdHex()).backlog() == 0);
        assertEquals(stream.total() + redeliveries, inbox.size(), "nothing else arrived");
    }

    @Test
    void publisherCutWithPublishesInFlightAndWaitingResendsThemInOrder() throws Exception {
        // A small window: most of the publishes wait in the client when the cut comes.
        McpServer server = loop.server(McpServer.builder().receiveWindow(8));
        NumberedStream stream = new NumberedStream("pubcut", 300);
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(server, b -> b.clientId("sub"));
        McpClient.await(sub.subscribe(stream.filter(), 2, inbox));

        ClientSession session = ClientSession.create(60);
        McpClient first = loop.client(server, b -> b.clientId("pub").session(session));
        AtomicInteger completed = new AtomicInteger();
        AtomicBoolean issued = new AtomicBoolean();
        AtomicBoolean cutDone = new AtomicBoolean();
        int cutAfter = 20;
        Runnable cutOnce = () -> {
            if (cutDone.compareAndSet(false, true)) {
                cut(first);
            }
        };
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int seq = 0; seq < stream.total(); seq++) {
            CompletableFuture<Void> f = first.publish(stream.topic(seq), NumberedStream.qos(seq), false,
                    Payload.utf8(Integer.toString(seq)));
            f.whenComplete((v, e) -> {
                if (completed.incrementAndGet() >= cutAfter && issued.get()) {
                    cutOnce.run();
                }
            });
            sent.add(f);
        }
        issued.set(true);
        if (completed.get() >= cutAfter) {
            cutOnce.run();
        }
        first.closeFuture().get(Loopback.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(completed.get() < stream.total(), "the cut came with publishes outstanding");

        McpClient second = loop.client(server, b -> b.clientId("pub").session(session));
        assertTrue(second.sessionPresent());
        // Every publish of the first connection completes: re-sent (DUP) or sent on this one.
        awaitAll(sent);
        assertEquals(0, session.unacknowledgedCount());
        await().atMost(Loopback.WAIT).until(() -> stream.distinct(inbox.messages()) == stream.total());
        stream.assertComplete(inbox.messages());
        // And the session goes on as usual.
        McpClient.await(second.publish(stream.topic(0), 2, false, Payload.utf8("0")));
    }

    @Test
    void resumeTakesTheSessionOverFromALiveConnection() throws Exception {
        McpServer server = loop.server(McpServer.builder());
        RawPubSub old = new RawPubSub(loop.raw(server));
        RawFrame welcome = old.handshake(0, 60, null);
        byte[] id = welcome.bytes(MetadataKey.SESSION_ID);
        assertNotNull(id);
        assertEquals(60, welcome.number(MetadataKey.SESSION_EXPIRY_S));
        assertArrayEquals(new int[] {1}, old.subscribe(Map.of("take/#", 1)));
        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        McpClient.await(pub.publish("take/1", 1, false, Payload.utf8("unacknowledged on the old connection")));
        old.expectPublish("take/1", "unacknowledged on the old connection");

        Inbox inbox = new Inbox();
        String hex = server.broker().sessions().stream().filter(s -> s.subscriptions().containsKey("take/#"))
                .findFirst().orElseThrow().idHex();
        // Without an authenticator the principal is the CLIENT_ID: the same one resumes.
        McpClient taker = loop.client(server, b -> b.clientId("raw-pubsub").session(ClientSession.resume(hex, 60))
                .messageListener(inbox));
        assertTrue(taker.sessionPresent());
        assertEquals(hex, taker.sessionId());

        RawFrame goaway = old.socket().readFrame(FrameType.GOAWAY);
        assertEquals(ErrorCode.SESSION_TAKEN_OVER.code(), goaway.errorCode(), goaway.toString());
        old.socket().expectEof();

        // The new connection has the session: the unacknowledged message again (DUP), then new ones.
        McpClient.await(pub.publish("take/2", 1, false, Payload.utf8("after the takeover")));
        inbox.awaitPayload("after the takeover");
        assertEquals(List.of("unacknowledged on the old connection", "after the takeover"), inbox.payloads());
        assertTrue(inbox.messages().get(0).dup(), "re-sent");
        await().atMost(Loopback.WAIT).until(() -> server.broker().session(hex).backlog() == 0);
        assertEquals(2, server.broker().sessionCount(), "the publisher's session and the one taken over");
    }

    @Test
    void clientTakenOverIsClosed() throws Exception {
        McpServer server = loop.server(McpServer.builder());
        ClientSession session = ClientSession.create(60);
        AtomicInteger goawayCode = new AtomicInteger(-1);
        McpClient a = loop.client(server, b -> b.clientId("a").session(session)
                .onGoaway((code, message, lastStreamId) -> goawayCode.set(code)));
        Inbox inbox = new Inbox();
        McpClient.await(a.subscribe("over/#", 1, inbox));
        McpClient b = loop.client(server, c -> c.clientId("a").session(ClientSession.resume(session.sessionIdHex(), 60))
                .messageListener(inbox));
        assertTrue(b.sessionPresent());
        a.closeFuture().get(Loopback.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertFalse(a.isActive());
        assertEquals(ErrorCode.SESSION_TAKEN_OVER.code(), goawayCode.get(), "the GOAWAY hook hears the code");
        McpClient.await(b.publish("over/x", 1, false, Payload.utf8("to b")));
        inbox.awaitPayload("to b");
        assertEquals(1, server.broker().sessionCount());
    }

    @Test
    void resumeByAnotherPrincipalIsPermissionDenied() throws Exception {
        McpServer server = loop.server(McpServer.builder().authenticator((clientId, credentials, remote) -> {
            String token = new String(credentials, StandardCharsets.UTF_8);
            return token.endsWith("-token")
                    ? CompletableFuture.completedFuture(token.substring(0, token.length() - "-token".length()))
                    : CompletableFuture.failedFuture(new McpException(ErrorCode.UNAUTHENTICATED, "no"));
        }));
        ClientSession alices = ClientSession.create(60);
        McpClient alice = loop.client(server, b -> b.clientId("alice").authToken("alice-token").session(alices));
        Inbox inbox = new Inbox();
        McpClient.await(alice.subscribe("mine/#", 1, inbox));
        assertEquals("alice", server.broker().session(alices.sessionIdHex()).owner());

        // Same CLIENT_ID, other credentials: refused, and Alice's connection is not taken over.
        McpException denied = assertThrows(McpException.class, () -> loop.client(server, b -> b.clientId("alice")
                .authToken("mallory-token").session(ClientSession.resume(alices.sessionIdHex(), 60))));
        assertEquals(ErrorCode.PERMISSION_DENIED.code(), denied.code(), denied.toString());
        assertTrue(alice.isActive());
        McpClient.await(alice.publish("mine/1", 1, false, Payload.utf8("still mine")));
        inbox.awaitPayload("still mine");

        // Offline too: the session waits for its owner only.
        alice.close();
        McpException again = assertThrows(McpException.class, () -> loop.client(server, b -> b.clientId("m")
                .authToken("mallory-token").session(ClientSession.resume(alices.sessionIdHex(), 60))));
        assertEquals(ErrorCode.PERMISSION_DENIED.code(), again.code());
        McpClient back = loop.client(server, b -> b.clientId("alice").authToken("alice-token").session(alices));
        assertTrue(back.sessionPresent());
        assertEquals(Map.of("mine/#", 1), server.broker().session(alices.sessionIdHex()).subscriptions());
    }
}
