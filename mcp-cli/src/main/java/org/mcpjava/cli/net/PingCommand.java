package org.mcpjava.cli.net;

import org.mcpjava.cli.ExitCodes;
import org.mcpjava.client.McpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** {@code mcp ping}: PING/PONG round trips with min/avg/max. */
@Command(name = "ping", mixinStandardHelpOptions = true, description = "Measure round-trip time with PING/PONG.")
public final class PingCommand extends ClientCommand {
    @Option(names = {"-c", "--count"}, defaultValue = "5", description = "Pings to send (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = {"-i", "--interval"}, defaultValue = "1s", converter = DurationConverter.class,
            description = "Pause between pings (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Override
    int run(McpClient client, PrintWriter out) throws InterruptedException {
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        out.printf("PING %s:%d (server %s)%n", connect.host, connect.port, client.serverName());
        for (int i = 1; i <= count; i++) {
            Duration rtt = McpClient.await(client.ping());
            double ms = rtt.toNanos() / 1e6;
            min = Math.min(min, ms);
            max = Math.max(max, ms);
            sum += ms;
            out.printf(Locale.ROOT, "pong %d: rtt=%.3f ms%n", i, ms);
            out.flush();
            if (i < count) {
                TimeUnit.MILLISECONDS.sleep(interval.toMillis());
            }
        }
        out.printf(Locale.ROOT, "rtt min/avg/max = %.3f/%.3f/%.3f ms (%d pings)%n", min, sum / count, max, count);
        return ExitCodes.OK;
    }
}
