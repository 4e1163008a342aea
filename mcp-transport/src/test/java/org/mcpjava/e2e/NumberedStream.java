package org.mcpjava.e2e;

import org.mcpjava.core.Message;

import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A stream of numbered messages from one publisher, alternating QoS 1 (even numbers, topic
 * {@code PREFIX/q1}) and QoS 2 (odd numbers, {@code PREFIX/q2}), with the number as the payload;
 * and the check of what a subscriber received of it, possibly over several connections of one
 * session: every QoS 1 message at least once, every QoS 2 message exactly once, in publish order
 * (re-deliveries of QoS 1 messages aside).
 */
final class NumberedStream {
    private final String prefix;
    private final int total;

    NumberedStream(String prefix, int total) {
        this.prefix = prefix;
        this.total = total;
    }

    int total() {
        return total;
    }

    static int qos(int seq) {
        return seq % 2 == 0 ? 1 : 2;
    }

    String topic(int seq) {
        return prefix + "/q" + qos(seq);
    }

    /** The filter that covers the stream. */
    String filter() {
        return prefix + "/+";
    }

    /** How many distinct numbers of the stream {@code received} holds. */
    int distinct(List<Message> received) {
        BitSet seen = new BitSet(total);
        for (Message m : received) {
            if (m.topic().startsWith(prefix + "/")) {
                seen.set(Integer.parseInt(m.payloadAsString()));
            }
        }
        return seen.cardinality();
    }

    /**
     * Asserts that {@code received} (in arrival order; messages of other topics are ignored) holds
     * the whole stream: each number from 0 to total-1, QoS 1 ones at least once, QoS 2 ones exactly
     * once, each at its QoS, and the first arrivals of the numbers strictly increasing (a message
     * seen for the first time never comes after a later one: nothing overtook, nothing was lost and
     * delivered late). Returns how many QoS 1 re-deliveries there were.
     */
    int assertComplete(List<Message> received) {
        int[] count = new int[total];
        int highest = -1;
        int redeliveries = 0;
        for (Message m : received) {
            if (!m.topic().startsWith(prefix + "/")) {
                continue;
            }
            int seq = Integer.parseInt(m.payloadAsString());
            assertTrue(seq >= 0 && seq < total, "not of the stream: " + seq);
            assertEquals(topic(seq), m.topic(), "topic of " + seq);
            assertEquals(qos(seq), m.qos(), "QoS of " + seq);
            if (count[seq]++ == 0) {
                if (seq <= highest) {
                    fail("message " + seq + " first arrived after " + highest + ": out of order");
                }
                highest = seq;
            } else {
                if (qos(seq) == 2) {
                    fail("QoS 2 message " + seq + " delivered " + count[seq] + " times");
                }
                redeliveries++;
            }
        }
        for (int seq = 0; seq < total; seq++) {
            if (count[seq] == 0) {
                fail("message " + seq + " (QoS " + qos(seq) + ") never arrived; " + distinct(received)
                        + " of " + total + " did");
            }
        }
        return redeliveries;
    }
}
