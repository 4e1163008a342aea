package org.mcpjava.transport.internal;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.mcpjava.transport.TlsOptions;

import javax.net.ssl.SSLException;
import java.util.concurrent.Callable;

/** Builds Netty SSL contexts from {@link TlsOptions}: OpenSSL where it loads, JDK otherwise. */
public final class SslContexts {
    private SslContexts() {
    }

    /** {@code openssl} or {@code jdk}. */
    public static String providerName() {
        return OpenSsl.isAvailable() ? "openssl" : "jdk";
    }

    private static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /**
     * The context of a server with {@code tls}, or {@code null} without TLS.
     *
     * @throws IllegalArgumentException (TLS configuration is not usable) with the reason
     */
    public static SslContext serverContext(TlsOptions tls) {
        return tls == null ? null : usable(() -> forServer(tls));
    }

    /**
     * The context of a client with {@code tls}, or {@code null} without TLS.
     *
     * @throws IllegalArgumentException (TLS configuration is not usable) with the reason
     */
    public static SslContext clientContext(TlsOptions tls) {
        return tls == null ? null : usable(() -> forClient(tls));
    }

    private static SslContext usable(Callable<SslContext> build) {
        try {
            return build.call();
        } catch (Exception e) {
            throw new IllegalArgumentException("TLS configuration is not usable: " + e.getMessage(), e);
        }
    }

    private static SslContext forServer(TlsOptions tls) throws SSLException {
        if (tls.certificateChain() == null) {
            throw new IllegalArgumentException("a TLS server needs a certificate chain and a private key");
        }
        SslContextBuilder b = SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile())
                .sslProvider(provider());
        if (tls.trustedCertificates() != null) {
            b.trustManager(tls.trustedCertificates().toFile());
        }
        switch (tls.clientAuth()) {
            case REQUIRE:
                b.clientAuth(ClientAuth.REQUIRE);
                break;
            case OPTIONAL:
                b.clientAuth(ClientAuth.OPTIONAL);
                break;
            default:
                b.clientAuth(ClientAuth.NONE);
        }
        return b.build();
    }

    private static SslContext forClient(TlsOptions tls) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(provider());
        if (tls.insecureTrustAll()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (tls.trustedCertificates() != null) {
            b.trustManager(tls.trustedCertificates().toFile());
        }
        if (tls.certificateChain() != null) {
            b.keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile());
        }
        if (tls.verifyHostname() && !tls.insecureTrustAll()) {
            b.endpointIdentificationAlgorithm("HTTPS");
        } else {
            b.endpointIdentificationAlgorithm(null);
        }
        return b.build();
    }
}
