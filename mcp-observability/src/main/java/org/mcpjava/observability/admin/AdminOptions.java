package org.mcpjava.observability.admin;

/**
 * Settings of the {@link AdminServer}.
 *
 * @param host  the address to bind (default 127.0.0.1: the admin port is local unless you choose)
 * @param port  the TCP port, 0 for any free one (default {@value #DEFAULT_PORT})
 * @param token the bearer token every endpoint but the health checks requires, or {@code null} for
 *              none (then anyone who reaches the port may read metrics and close sessions)
 */
public record AdminOptions(String host, int port, String token) {
    /** The default admin port: the MCP port (19779) plus one. */
    public static final int DEFAULT_PORT = 19780;

    /** Validates; messages name the bad value. */
    public AdminOptions {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("admin host must not be empty: " + host);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin port must be 0-65535: " + port);
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
    }

    /** 127.0.0.1:19780, no token. */
    public static AdminOptions defaults() {
        return new AdminOptions("127.0.0.1", DEFAULT_PORT, null);
    }
}
