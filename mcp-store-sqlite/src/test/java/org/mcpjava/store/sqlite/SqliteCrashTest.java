package org.mcpjava.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.SessionRecord;

/**
 * Kills a real writer process (SIGKILL via {@link ProcessHandle#destroyForcibly()}) in the middle of its
 * writes, several times over the same file, and checks that every message it reported durable is
 * there, intact, and that the file passes SQLite's integrity check. Synchronises on the victim's
 * output only, never on time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SqliteCrashTest {
    private static final int ROUNDS = 3;
    private static final int DURABLE_LINES_BEFORE_KILL = 5;
    private static final int BARRIER_EVERY = 100;

    @TempDir
    Path dir;

    @Test
    void everythingReportedDurableSurvivesAKill() throws Exception {
        Path file = dir.resolve("crash.db");
        long next = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            long durable = runAndKill(file, next, round);
            assertTrue(durable > next, "round " + round + ": nothing was reported durable");

            assertEquals("ok", SqliteSessionStoreContractTest.integrityCheck(file), "round " + round);
            try (SqliteSessionStore store = SqliteSessionStore.open(file)) {
                List<OutboundEntry> outbound = session(store.load()).outbound();
                // everything from the first round on, in order, without holes up to what was durable
                assertTrue(outbound.size() >= durable, "round " + round + ": " + outbound.size()
                        + " entries stored, " + durable + " reported durable");
                for (int i = 0; i < outbound.size(); i++) {
                    OutboundEntry e = outbound.get(i);
                    assertEquals(i, e.sequence(), "round " + round + ": hole before sequence " + e.sequence());
                    assertEquals(i + 1, e.packetId());
                    assertArrayEquals(CrashWriterMain.payload(i), e.message().payload(), "payload of " + i);
                }
                next = outbound.size();
            }
        }
    }

    private static SessionRecord session(List<SessionRecord> records) {
        return records.stream()
                .filter(r -> Snap.hex(r.sessionId()).equals(Snap.hex(CrashWriterMain.SESSION)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the victim's session is missing"));
    }

    /** Starts the victim from {@code first}, kills it after some durable reports; the last count reported. */
    private long runAndKill(Path file, long first, int round) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path stderr = dir.resolve("victim-" + round + ".err");
        // The driver extracts its native library to a temp dir and deletes it at JVM exit, which a
        // killed JVM never reaches: keep the victim's copy in the test's temp dir.
        Path nativeDir = Files.createDirectories(dir.resolve("native"));
        Process victim = new ProcessBuilder(java, "-Dorg.sqlite.tmpdir=" + nativeDir,
                "-cp", System.getProperty("java.class.path"),
                CrashWriterMain.class.getName(), file.toString(), Long.toString(first), Integer.toString(BARRIER_EVERY))
                .redirectError(stderr.toFile())
                .start();
        long durable = first;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
            int reports = 0;
            while (reports < DURABLE_LINES_BEFORE_KILL) {
                String line = out.readLine();
                assertNotNull(line, () -> "the victim ended before reporting: " + read(stderr));
                durable = parse(line, durable);
                reports++;
            }
            // SIGKILL through the handle: Process.destroyForcibly() would also close our end of its
            // stdout, losing the reports it printed between our last read and its death.
            assertTrue(victim.toHandle().destroyForcibly(), "could not kill the victim");
            assertTrue(victim.waitFor(30, TimeUnit.SECONDS), "the victim did not die");
            // lines it printed before it died were reported too
            for (String line; (line = out.readLine()) != null; ) {
                durable = parse(line, durable);
            }
        } finally {
            victim.destroyForcibly();
        }
        assertNotEquals(0, victim.exitValue(), "the victim must have been killed, not ended");
        return durable;
    }

    private static long parse(String line, long previous) {
        assertTrue(line.startsWith("DURABLE "), () -> "unexpected victim output: " + line);
        long n = Long.parseLong(line.substring("DURABLE ".length()));
        assertTrue(n > previous, "durable counts must increase: " + previous + " then " + n);
        return n;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
