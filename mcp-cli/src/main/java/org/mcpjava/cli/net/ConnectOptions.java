package org.mcpjava.cli.net;

import org.mcpjava.client.McpClient;
import org.mcpjava.transport.TlsOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** Where and how a client command connects: address, TLS, token. */
public final class ConnectOptions {
    @Option(names = {"-H", "--host"}, defaultValue = "localhost", description = "Server host (default ${DEFAULT-VALUE}).")
    public String host;

    @Option(names = {"-p", "--port"}, defaultValue = "19779", description = "Server port (default ${DEFAULT-VALUE}).")
    public int port;

    @Option(names = "--token", description = "Authentication token sent in HELLO (or env MCP_TOKEN).")
    String token;

    @Option(names = "--client-id", description = "CLIENT_ID sent in HELLO.")
    String clientId;

    @Option(names = "--tls", description = "Connect with TLS.")
    boolean tls;

    @Option(names = "--tls-ca", description = "CA certificates (PEM) that verify the server (implies --tls).")
    Path tlsCa;

    @Option(names = "--tls-cert", description = "Client certificate chain (PEM) for mutual TLS (implies --tls).")
    Path tlsCert;

    @Option(names = "--tls-key", description = "Client private key (PKCS#8 PEM) for mutual TLS.")
    Path tlsKey;

    @Option(names = "--tls-insecure", description = "Accept any server certificate (testing only).")
    boolean tlsInsecure;

    @Option(names = "--connect-timeout", defaultValue = "5s", converter = DurationConverter.class,
            description = "Connect and handshake timeout (default ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    /** A client builder with these options; {@code defaultClientId} when none was given. */
    public McpClient.Builder clientBuilder(String defaultClientId) {
        McpClient.Builder b = McpClient.builder()
                .address(host, port)
                .clientId(clientId != null ? clientId : defaultClientId)
                .connectTimeout(connectTimeout)
                .handshakeTimeout(connectTimeout);
        String t = token != null ? token : System.getenv("MCP_TOKEN");
        if (t != null && !t.isEmpty()) {
            b.authToken(t);
        }
        if (tls || tlsCa != null || tlsCert != null || tlsInsecure) {
            TlsOptions.Builder o = TlsOptions.builder().trust(tlsCa).insecureTrustAll(tlsInsecure);
            if (tlsCert != null || tlsKey != null) {
                o.keyPair(tlsCert, tlsKey);
            }
            b.tls(o.build());
        }
        return b;
    }
}
