package org.mcpjava.resilience.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A second JVM running a test main on the test class path, talked to through its stdin and stdout
 * (one line per message), killed with SIGKILL through its {@link ProcessHandle}. Its stderr goes
 * to a file, shown when it misbehaves.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Path stderr;
    private final List<String> seen = new ArrayList<>();

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts {@code main} with {@code args}; temporary files (and SQLite's native library) go to {@code dir}. */
    static ChildJvm start(Path dir, String name, Class<?> main, String... args) throws IOException {
        return start(dir, name, List.of(), main, args);
    }

    /** {@link #start(Path, String, Class, String...)} with extra JVM options. */
    public static ChildJvm start(Path dir, String name, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The driver extracts its native library at start and deletes it at exit, which a killed
        // JVM never reaches: keep it in the test's directory.
        Path nativeDir = Files.createDirectories(dir.resolve("native"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-Dorg.sqlite.tmpdir=" + nativeDir,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        Path stderr = dir.resolve(name + ".err");
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        return new ChildJvm(p, stderr);
    }

    /** Reads lines until one matches {@code wanted}, which it returns; fails if the child ends first. */
    public String awaitLine(Predicate<String> wanted) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
        throw new AssertionError("the child ended; it said " + seen + "; stderr: " + stderrText());
    }

    /** Sends one command line. */
    public void send(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
    }

    /** SIGKILL, and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the child did not die");
        }
    }

    /** Whether it is alive. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** Its exit code (after it ended). */
    int exitValue() {
        return process.exitValue();
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
