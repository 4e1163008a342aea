package org.mcpjava.store.sqlite;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.StoredMessage;

/**
 * The victim of {@link SqliteCrashTest}, run as its own process: opens the store on a file and
 * appends messages to one session without end, a barrier every {@code every} messages. When a
 * barrier completes it prints {@code DURABLE <n>}: every sequence below {@code n} is durable. It
 * never closes the store; the test kills it.
 *
 * <p>Usage: {@code CrashWriterMain <file> <firstSequence> <every>}
 */
public final class CrashWriterMain {
    /** The session the victim writes to. */
    static final byte[] SESSION = SessionStoreContract.id(7);

    private CrashWriterMain() {
    }

    /** The payload of the message with sequence {@code seq}: the test checks it byte for byte. */
    static byte[] payload(long seq) {
        return ("payload-" + seq + "-" + "x".repeat((int) (seq % 200))).getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        long first = Long.parseLong(args[1]);
        int every = Integer.parseInt(args[2]);
        SqliteSessionStore store = SqliteSessionStore.open(file);
        store.saveSession(SESSION, "crash-writer", "tester", 3600, first);
        for (long seq = first; ; seq++) {
            long s = seq;
            OutboundEntry e = new OutboundEntry(s, s + 1, OutboundState.PUBLISHED,
                    new StoredMessage("crash/" + (s % 10), 1, false, 0, payload(s), 0));
            if (s % 3 == 0) {
                // some messages as a group with the header, as the broker does for QoS 2
                store.group(() -> {
                    store.addOutbound(SESSION, e);
                    store.saveSession(SESSION, "crash-writer", "tester", 3600, s + 1);
                });
            } else {
                store.addOutbound(SESSION, e);
            }
            if ((s + 1) % every == 0) {
                long durable = s + 1;
                store.barrier().thenRun(() -> {
                    System.out.println("DURABLE " + durable);
                    System.out.flush();
                });
            }
        }
    }
}
