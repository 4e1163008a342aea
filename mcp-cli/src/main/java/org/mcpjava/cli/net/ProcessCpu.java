package org.mcpjava.cli.net;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used so far by this process, or by another one on Linux, so that a benchmark can tell
 * whether the server or the load generator was the limit (cores busy = CPU seconds / wall seconds).
 */
final class ProcessCpu {
    /** Linux reports /proc times in USER_HZ ticks, 100 per second on every architecture Java runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    /** This JVM's CPU seconds (user + system), or NaN if the platform does not say. */
    static double self() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }

    /** CPU seconds (user + system) of process {@code pid} from /proc, or NaN if unreadable. */
    static double of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces:
            // state(3) ... utime(14) stime(15).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
