package org.mcpjava.resilience.e2e;

import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ResilientClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The victim of {@link ClientKillE2ETest}, run as its own process: a {@link ResilientClient} with
 * its offline queue in a SQLite file. Prints {@code STATE <state>} on every change,
 * {@code RECOVERED <n>} at start. Commands: {@code PUBLISH <from> <count>} publishes QoS 1 messages
 * with ids {@code from .. from+count-1} to {@code kill/<id % 8>}, waits until they are durable in
 * the queue and prints {@code QUEUED <count>}; {@code ACKED} prints {@code ACKED <n>}, the
 * publishes acknowledged since start (recovered ones included). It never exits by itself.
 *
 * <p>Usage: {@code QueueingPublisherMain <port> <queue file>}
 */
public final class QueueingPublisherMain {
    private QueueingPublisherMain() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Path queue = Path.of(args[1]);
        ResilientClient client = ResilientClient.builder().endpoints("127.0.0.1:" + port)
                .reconnectPolicy(Servers.FAST)
                .offlineQueue(queue)
                .stateListener(c -> say("STATE " + c.current()))
                .build();
        client.start();
        say("RECOVERED " + client.queueStats().queued());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] cmd = line.split(" ");
            if (cmd[0].equals("PUBLISH")) {
                long from = Long.parseLong(cmd[1]);
                int count = Integer.parseInt(cmd[2]);
                for (long id = from; id < from + count; id++) {
                    client.publish("kill/" + (id % 8), 1, Servers.id(id));
                }
                client.flush().join();
                say("QUEUED " + count + " " + client.state());
            } else if (cmd[0].equals("ACKED")) {
                say("ACKED " + client.queueStats().acknowledged() + " QUEUED " + client.queueStats().queued());
            }
        }
        client.close();
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** For the parent: whether {@code line} reports {@code state}. */
    static boolean isState(String line, ClientState state) {
        return line.equals("STATE " + state);
    }
}
