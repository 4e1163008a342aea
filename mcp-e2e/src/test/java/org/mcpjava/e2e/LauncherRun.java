package org.mcpjava.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a launcher script as a subprocess and collects its exit code, standard output and standard
 * error. Output goes to files in a scratch directory rather than pipes, so a chatty process can
 * never block on a full pipe and no reader threads are needed.
 */
final class LauncherRun {
    /** Generous: a cold JVM on a loaded CI machine. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What one run produced. */
    record Result(int exitCode, String out, String err) {
        String describe() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    private final Path launcher;
    private final Path scratch;
    private Path stdin;
    private final Map<String, String> env = new HashMap<>();

    /**
     * @param launcher the script to run
     * @param scratch an empty directory for the output files (and the working directory)
     */
    LauncherRun(Path launcher, Path scratch) {
        this.launcher = launcher;
        this.scratch = scratch;
    }

    /** Feeds {@code file} to the process's standard input (default: empty input). */
    LauncherRun stdin(Path file) {
        this.stdin = file;
        return this;
    }

    /** Sets an environment variable for the process. */
    LauncherRun env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs {@code launcher args...}, failing the test if it does not end within {@link #TIMEOUT}. */
    Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(scratch.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().putAll(env);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process process = pb.start();
        if (stdin == null) {
            process.getOutputStream().close();
        }
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail(command + " did not finish within " + TIMEOUT + "; output so far:\n" + Files.readString(out)
                    + "\n" + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
