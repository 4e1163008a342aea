package org.mcpjava.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code bin/mcp server} running as a real subprocess: started on a free port, ready once it printed
 * its "listening" line, and ended by SIGKILL ({@link #kill()}) or SIGTERM ({@link #stop()}).
 * Standard output and error go to files, never pipes, so the process cannot block on them and
 * they stay readable after it died. {@link #close()} kills it if it still runs: call it from
 * {@code @AfterEach} whatever happened.
 */
final class ServerProcess implements AutoCloseable {
    /** Generous: a cold JVM on a loaded CI machine. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("^mcp server listening on (\\S+):(\\d+) \\(");

    private final Process process;
    private final Path out;
    private final Path err;
    private final int port;

    private ServerProcess(Process process, Path out, Path err, int port) {
        this.process = process;
        this.out = out;
        this.err = err;
        this.port = port;
    }

    /**
     * Runs {@code launcher server --host 127.0.0.1 --port 0 args...} with {@code env} (plus
     * MCP_NO_BUILD=1: the jar under test is the one built) and waits until it listens.
     *
     * @param scratch a directory for the output files, named after {@code name}
     */
    static ServerProcess start(Path launcher, Path scratch, String name, Map<String, String> env, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "server", "--host", "127.0.0.1", "--port", "0"));
        command.addAll(List.of(args));
        Path out = scratch.resolve(name + ".out");
        Path err = scratch.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(scratch.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        pb.environment().put("MCP_NO_BUILD", "1");
        Process process = pb.start();
        try {
            int[] port = {0};
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
                Matcher m = LISTENING.matcher(firstLine(out));
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(2));
                    return true;
                }
                if (!process.isAlive()) {
                    fail(command + " ended with " + process.exitValue() + " before listening:\n" + read(out) + read(err));
                }
                return false;
            });
            return new ServerProcess(process, out, err, port[0]);
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static String firstLine(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        return nl < 0 ? "" : text.substring(0, nl);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Its process id: {@code bin/mcp} execs java, so this is the JVM's. */
    long pid() {
        return process.pid();
    }

    /** Waits until it ended by itself (e.g. after a SIGTERM sent by another process); its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS),
                "the server did not end within " + timeout + ":\n" + describe());
        return process.exitValue();
    }

    /** The port it listens on (127.0.0.1). */
    int port() {
        return port;
    }

    /**
     * Sends SIGKILL and returns at once (safe on an event loop): no shutdown hook runs, nothing
     * pending in the store is flushed, the kernel closes its sockets. See {@link #kill()}.
     */
    void sigkill() {
        process.toHandle().destroyForcibly();
    }

    /** {@link #sigkill()}, then waits until it is dead. */
    void kill() throws InterruptedException {
        sigkill();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server did not die");
    }

    /** SIGTERM: the graceful shutdown of {@code mcp server}. Waits until it ended. */
    void stop() throws InterruptedException {
        process.destroy();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server did not stop on SIGTERM:\n" + describe());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Everything it printed so far. */
    String describe() {
        return "--- out ---\n" + read(out) + "--- err ---\n" + read(err);
    }

    /** Standard error so far. */
    String errors() {
        return read(err);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
