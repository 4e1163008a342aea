package org.mcpjava.observability.config;

/**
 * Invalid configuration: an unknown key, a value of the wrong type or out of range, a file that
 * cannot be read. The message names the key, the value and where the value came from, e.g.
 * {@code server.port = "70000" (env MCP_SERVER_PORT): must be 0-65535}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String key;

    /** @param key the offending key, or {@code null} when the problem is not one key's */
    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** A problem with {@code key}'s {@code value} from {@code source}. */
    static ConfigException badValue(String key, Object value, String source, String problem) {
        return new ConfigException(key, key + " = " + quote(value) + " (" + source + "): " + problem);
    }

    /** The offending key, or {@code null}. */
    public String key() {
        return key;
    }

    static String quote(Object value) {
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }
}
