package org.mcpjava.resilience;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What every {@link OfflineQueue} must do; each implementation's test extends this. */
abstract class OfflineQueueContract {
    /** A new, empty queue. */
    abstract OfflineQueue open() throws Exception;

    /** The same storage opened again, as a later client (or process) would. */
    abstract OfflineQueue reopen(OfflineQueue closed) throws Exception;

    static QueuedMessage message(long seq) {
        return new QueuedMessage(seq, "t/" + seq, (int) (seq % 3), seq % 2 == 0, 1,
                ("payload-" + seq).getBytes(StandardCharsets.UTF_8), seq * 1000, 0);
    }

    @Test
    void recoversWhatWasAppendedAndNotRemovedInOrderWithEveryField() throws Exception {
        OfflineQueue q = open();
        assertEquals(List.of(), q.recover());
        for (long i = 1; i <= 10; i++) {
            q.append(message(i));
        }
        q.remove(3);
        q.remove(7);
        q.remove(99); // unknown: ignored
        q.attempts(5, 4);
        q.flush().join();
        q.close();
        OfflineQueue again = reopen(q);
        List<QueuedMessage> got = again.recover();
        assertEquals(List.of(1L, 2L, 4L, 5L, 6L, 8L, 9L, 10L), got.stream().map(QueuedMessage::sequence).toList());
        for (QueuedMessage m : got) {
            QueuedMessage want = m.sequence() == 5 ? message(5).withAttempts(4) : message(m.sequence());
            assertEquals(want.topic(), m.topic());
            assertEquals(want.qos(), m.qos());
            assertEquals(want.retain(), m.retain());
            assertEquals(want.codec(), m.codec());
            assertArrayEquals(want.payload(), m.payload());
            assertEquals(want.expiresAtMillis(), m.expiresAtMillis());
            assertEquals(want.attempts(), m.attempts());
        }
        again.close();
    }

    @Test
    void appendedThenRemovedLeavesNothing() throws Exception {
        OfflineQueue q = open();
        for (long i = 1; i <= 5000; i++) {
            q.append(message(i));
            q.attempts(i, 1);
            q.remove(i);
        }
        q.flush().join();
        q.close();
        OfflineQueue again = reopen(q);
        assertEquals(List.of(), again.recover());
        again.close();
    }
}
