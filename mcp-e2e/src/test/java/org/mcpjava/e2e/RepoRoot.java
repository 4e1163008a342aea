package org.mcpjava.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the checkout under test: the directory holding {@code bin/mcp}. */
final class RepoRoot {
    /** System property the failsafe configuration sets to the reactor's root directory. */
    static final String PROPERTY = "mcp.root";

    private RepoRoot() {
    }

    /**
     * {@code -Dmcp.root} if it holds {@code bin/mcp}, else the nearest directory at or above
     * {@code user.dir} that does.
     *
     * @throws IllegalStateException if there is none
     */
    static Path find() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank() && hasLauncher(Path.of(configured))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (hasLauncher(dir)) {
                return dir;
            }
        }
        throw new IllegalStateException("no bin/mcp at or above " + start + " (and -D" + PROPERTY + "="
                + configured + ")");
    }

    private static boolean hasLauncher(Path dir) {
        return Files.isRegularFile(dir.resolve("bin").resolve("mcp"));
    }
}
