package org.mcpjava.cli.net;

import org.mcpjava.cli.ExitCodes;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Message;
import org.mcpjava.wire.Codecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code mcp sub FILTER...}: subscribes and prints messages until Ctrl-C or {@code --count}. With
 * {@code --session}/{@code --expiry} the session outlives the process: run it again with the
 * printed session id to resume and receive what was published meanwhile.
 */
@Command(name = "sub", mixinStandardHelpOptions = true,
        description = "Subscribe to topic filters (+, #, $share/GROUP/FILTER) and print messages.")
public final class SubCommand implements Callable<Integer> {
    @Mixin
    ConnectOptions connect;

    @Parameters(arity = "1..*", description = "Topic filters.")
    List<String> filters;

    @Option(names = {"-q", "--qos"}, defaultValue = "2", description = "Max QoS per filter (default ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = {"-n", "--count"}, defaultValue = "0", description = "Exit after this many messages (0 = run until Ctrl-C).")
    long count;

    @Option(names = "--expiry", defaultValue = "0", description = "SESSION_EXPIRY_S: keep the session this long after disconnecting.")
    long expiry;

    @Option(names = "--session", description = "Resume this session id (hex, as printed by an earlier run).")
    String sessionId;

    @Option(names = "--format", defaultValue = "line", description = "line (topic payload), payload (payload only) or verbose.")
    String format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ClientSession session = sessionId != null ? ClientSession.resume(sessionId, Math.max(expiry, 1))
                : ClientSession.create(expiry);
        AtomicLong received = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        java.util.function.Consumer<Message> printer = m -> {
            synchronized (out) {
                switch (format) {
                    case "payload":
                        out.println(PayloadOptions.render(m.payload()));
                        break;
                    case "verbose":
                        out.printf("%s qos=%d%s%s codec=%s%s %d bytes: %s%n", m.topic(), m.qos(), m.retain() ? " retained" : "",
                                m.dup() ? " dup" : "", Codecs.nameOf(m.codec()),
                                m.trace() == null ? "" : " traceparent=" + m.trace().traceparent(),
                                m.payload().length, PayloadOptions.render(m.payload()));
                        break;
                    default:
                        out.println(m.topic() + " " + PayloadOptions.render(m.payload()));
                }
                out.flush();
            }
            if (count > 0 && received.incrementAndGet() >= count) {
                done.countDown();
            }
        };
        try (McpClient client = connect.clientBuilder("mcp-sub").session(session).messageListener(printer::accept).connect()) {
            if (expiry > 0 || sessionId != null) {
                err.println("session " + client.sessionId() + (client.sessionPresent() ? " (resumed)" : " (new)")
                        + ", expiry " + session.expirySeconds() + " s");
                err.flush();
            }
            Map<String, Integer> wanted = new LinkedHashMap<>();
            for (String f : filters) {
                wanted.put(f, qos);
            }
            int[] codes = McpClient.await(client.subscribe(wanted, printer::accept));
            for (int i = 0; i < codes.length; i++) {
                if (codes[i] == 0x80) {
                    // 0x80 is any refusal: an invalid filter (most are caught before sending), or a
                    // server without publish/subscribe, which refuses every filter.
                    err.println("error: the server refused filter " + filters.get(i)
                            + " (SUBACK 0x80: an invalid filter, or publish/subscribe is not enabled on the server)");
                    return ExitCodes.REMOTE_ERROR;
                }
            }
            Thread hook = new Thread(done::countDown);
            Runtime.getRuntime().addShutdownHook(hook);
            while (!done.await(200, TimeUnit.MILLISECONDS)) {
                if (!client.isActive()) {
                    err.println("error: UNAVAILABLE: the server closed the connection");
                    return ExitCodes.IO_ERROR;
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is exiting anyway
            }
            return ExitCodes.OK;
        } catch (McpException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.forError(e);
        }
    }
}
