package org.mcpjava.resilience;

import org.junit.jupiter.api.Test;
import org.mcpjava.wire.ErrorCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a client does with nothing configured but its endpoint. */
class ResilientClientDefaultsTest {

    @Test
    void theOfflineQueueIsASqliteFileNamedAfterTheClientIdAndHasOneUser() throws IOException {
        String id = "defaults/test " + UUID.randomUUID();
        Path file = ResilientClient.defaultQueueFile(id);
        assertEquals(Path.of("mcp-data", "outbox-defaults_test_" + id.substring(14) + ".db"), file);
        try {
            ResilientClient first = ResilientClient.builder().endpoints("127.0.0.1:1").clientId(id).build();
            try {
                assertTrue(Files.exists(file), "created at build: " + file.toAbsolutePath());
                assertEquals(ClientState.DISCONNECTED, first.state());
                first.publish("a/b", 1, new byte[]{1, 2, 3});
                first.flush().join();
                UncheckedIOException busy = assertThrows(UncheckedIOException.class,
                        () -> ResilientClient.builder().endpoints("127.0.0.1:1").clientId(id).build());
                assertTrue(busy.getMessage().contains("another client"), busy.getMessage());
            } finally {
                first.close();
            }
            ResilientClient second = ResilientClient.builder().endpoints("127.0.0.1:1").clientId(id).build();
            try {
                assertEquals(1, second.queueStats().queued(), "the message outlived its client");
            } finally {
                second.close();
            }
        } finally {
            for (String suffix : new String[]{"", "-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
            try {
                Files.deleteIfExists(file.getParent());
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                // someone else's files: leave them
            }
        }
    }

    @Test
    void badSettingsAreRefusedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResilientClient.builder().queueCapacity(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResilientClient.builder().endpoints("no-port"));
        assertThrows(IllegalArgumentException.class, () -> ResilientClient.builder().clientId(""));
        assertThrows(IllegalStateException.class, () -> ResilientClient.builder().build(), "no endpoints");
        assertThrows(IllegalArgumentException.class, () -> ConnectionPool.builder().connectionsPerEndpoint(0));
        IllegalArgumentException noError = assertThrows(IllegalArgumentException.class,
                () -> ResilientClient.builder().terminalRefusals(ErrorCode.UNAUTHENTICATED, ErrorCode.NO_ERROR));
        assertTrue(noError.getMessage().contains("NO_ERROR"), noError.getMessage());
    }

    @Test
    void refusalsOfCredentialsSessionOwnerAndVersionAreTerminalByDefault() {
        Set<Integer> expected = Set.of(ErrorCode.UNAUTHENTICATED.code(), ErrorCode.PERMISSION_DENIED.code(),
                ErrorCode.UNSUPPORTED_VERSION.code());
        assertEquals(expected, ResilientClient.builder().terminalRefusals);
        assertEquals(expected, ConnectionPool.builder().terminalRefusals);
        assertEquals(Set.of(), ResilientClient.builder().terminalRefusals().terminalRefusals);
        assertEquals(Set.of(ErrorCode.OVERLOADED.code()),
                ConnectionPool.builder().terminalRefusals(ErrorCode.OVERLOADED).terminalRefusals);
    }
}
