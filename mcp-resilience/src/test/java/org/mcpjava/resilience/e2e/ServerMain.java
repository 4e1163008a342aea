package org.mcpjava.resilience.e2e;

import org.mcpjava.server.McpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A server in its own process: listens on 127.0.0.1 and the port given (0 for any), with its
 * sessions in memory or, given a file, in SQLite. Prints {@code LISTENING <port>} once it serves.
 * Reads commands: {@code STOP} stops it gracefully (GOAWAY, drain) and prints {@code STOPPED};
 * {@code START} starts it again on the same port and store. Ends when its stdin ends, or when killed.
 *
 * <p>Usage: {@code ServerMain <port> [<store file>]}
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Path store = args.length > 1 ? Path.of(args[1]) : null;
        McpServer server = start(port, store);
        port = server.address().getPort();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("STOP") && server != null) {
                server.close();
                server = null;
                say("STOPPED");
            } else if (line.equals("START") && server == null) {
                server = start(port, store);
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private static McpServer start(int port, Path store) {
        McpServer server = store == null ? Servers.memory(port) : Servers.durable(port, store);
        say("LISTENING " + server.address().getPort());
        return server;
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
