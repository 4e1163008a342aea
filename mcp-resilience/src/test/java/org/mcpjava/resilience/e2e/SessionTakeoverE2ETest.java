package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ManualScheduler;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.resilience.StateChange;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mcpjava.resilience.e2e.Servers.ECHO;
import static org.mcpjava.resilience.e2e.Servers.WAIT;
import static org.mcpjava.resilience.e2e.Servers.assertReply;
import static org.mcpjava.resilience.e2e.Servers.awaitState;
import static org.mcpjava.resilience.e2e.Servers.failureCode;

/**
 * Two clients resuming one session (spec 8: a resume takes the session over from a live connection,
 * which gets GOAWAY(SESSION_TAKEN_OVER)): the one taken over stops instead of resuming it back, so
 * they do not take it from each other for ever.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SessionTakeoverE2ETest {

    @Test
    void theClientTakenOverStopsAndTheNewOneKeepsTheSession() {
        ManualScheduler firstClock = new ManualScheduler();
        List<StateChange> firstChanges = new CopyOnWriteArrayList<>();
        try (McpServer server = Servers.memory(0)) {
            String address = "127.0.0.1:" + server.address().getPort();
            try (ResilientClient first = Servers.client(address).clientId("pump-17").scheduler(firstClock)
                    .stateListener(firstChanges::add).build().start()) {
                awaitState(first::state, ClientState.CONNECTED);
                String session = first.sessionId();

                try (ResilientClient second = Servers.client(address).clientId("pump-17").resumeSession(session)
                        .reconnectPolicy(Servers.FAST).build().start()) {
                    awaitState(first::state, ClientState.CLOSED);
                    StateChange last = firstChanges.get(firstChanges.size() - 1);
                    assertEquals(ErrorCode.SESSION_TAKEN_OVER.code(), McpException.find(last.cause()).code());
                    assertEquals(List.of(ClientState.CONNECTING, ClientState.CONNECTED, ClientState.CLOSED),
                            firstChanges.stream().map(StateChange::current).toList());
                    assertEquals(ErrorCode.SESSION_TAKEN_OVER.code(), failureCode(first.call(ECHO, Payload.utf8("x"))));

                    // The first does not come back for the session: no dial, no timer that could make one.
                    assertEquals(List.of(), firstClock.pendingDelays());
                    firstClock.advance(Duration.ofHours(1));
                    assertEquals(1, first.dialAttempts());

                    // The second holds it, on one connection, the only one the server has.
                    awaitState(second::state, ClientState.CONNECTED);
                    assertEquals(session, second.sessionId());
                    await().atMost(WAIT).until(() -> server.connections().size() == 1);
                    assertReply("mine now", second.call(ECHO, Payload.utf8("mine now")));
                    assertEquals(1, second.dialAttempts());
                    assertEquals(ClientState.CONNECTED, second.state());
                }
            }
        }
    }
}
