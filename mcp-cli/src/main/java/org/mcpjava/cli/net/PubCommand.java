package org.mcpjava.cli.net;

import org.mcpjava.cli.ExitCodes;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code mcp pub TOPIC [PAYLOAD]}: publishes one message or a series (count, rate). Waits until
 * the server took responsibility for every QoS 1/2 message (PUBACK / PUBCOMP) before exiting.
 */
@Command(name = "pub", mixinStandardHelpOptions = true,
        description = "Publish to a topic: payload text, --hex, --file or stdin ('-f -'); --count and --rate for a series.")
public final class PubCommand extends ClientCommand {
    @Parameters(index = "0", description = "Topic, e.g. sensors/t1.")
    String topic;

    @Parameters(index = "1", arity = "0..1", description = "Payload text (or --data/--hex/--file).")
    String text;

    @Mixin
    PayloadOptions payload;

    @Option(names = {"-q", "--qos"}, defaultValue = "1", description = "QoS 0, 1 or 2 (default ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = {"-r", "--retain"}, description = "Ask the server to retain it for new subscribers.")
    boolean retain;

    @Option(names = {"-n", "--count"}, defaultValue = "1", description = "Messages to publish (default ${DEFAULT-VALUE}); "
            + "with several, '{n}' in the payload is replaced by the message number.")
    long count;

    @Option(names = "--rate", defaultValue = "0", description = "Messages per second (0 = as fast as the window allows).")
    double rate;

    @Option(names = "--expiry", defaultValue = "0", description = "MESSAGE_EXPIRY_S (0 = none).")
    long expiry;

    @Override
    int run(McpClient client, PrintWriter out) throws InterruptedException {
        if (qos < 0 || qos > 2) {
            throw org.mcpjava.cli.CliException.usage("qos must be 0, 1 or 2: " + qos);
        }
        byte[] template = payload.payload(text, parent.stdin()).toBytes();
        String templateText = new String(template, java.nio.charset.StandardCharsets.UTF_8);
        boolean numbered = count > 1 && templateText.contains("{n}");
        int codec = payload.codecId();
        long start = System.nanoTime();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (long i = 1; i <= count; i++) {
            byte[] body = numbered ? templateText.replace("{n}", Long.toString(i)).getBytes(java.nio.charset.StandardCharsets.UTF_8) : template;
            pending.add(client.publish(topic, qos, retain, Payload.of(codec, io.netty.buffer.Unpooled.wrappedBuffer(body)), expiry));
            if (pending.size() >= 1024) {
                McpClient.await(CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])));
                pending.clear();
            }
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        }
        McpClient.await(CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])));
        double secs = (System.nanoTime() - start) / 1e9;
        if (count == 1) {
            out.printf("published to %s (qos %d%s)%n", topic, qos, retain ? ", retained" : "");
        } else {
            out.printf(Locale.ROOT, "published %d messages to %s (qos %d) in %.2f s, %.0f msg/s%n", count, topic, qos, secs, count / secs);
        }
        return ExitCodes.OK;
    }
}
