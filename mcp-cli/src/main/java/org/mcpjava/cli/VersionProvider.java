package org.mcpjava.cli;

import org.mcpjava.wire.FrameHeader;
import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * {@code mcp --version}: the tool's version (from {@code version.properties}, filled in by the
 * build), the protocol version it speaks and the Java runtime it runs on.
 */
public final class VersionProvider implements IVersionProvider {
    private static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {
            "mcp " + toolVersion(),
            "MCP/" + FrameHeader.VERSION + " (wire version " + FrameHeader.VERSION + ")",
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }

    /** The build's project version, or {@code unknown} when run from an unfiltered class path. */
    public static String toolVersion() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
