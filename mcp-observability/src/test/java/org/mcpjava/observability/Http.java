package org.mcpjava.observability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for the admin port in tests. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String token;

    public Http(InetSocketAddress address, String token) {
        this.base = "http://127.0.0.1:" + address.getPort();
        this.token = token;
    }

    /** A client sending no token. */
    public Http withoutToken() {
        return new Http(new InetSocketAddress(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1))), null);
    }

    /** A client sending {@code other} as its token. */
    public Http withToken(String other) {
        return new Http(new InetSocketAddress(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1))), other);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
