package org.mcpjava.transport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS settings for a server or a client: PEM files for this side's certificate chain and key,
 * and the CA certificates that verify the peer. Mutual TLS is a server that requires client
 * certificates plus a client that presents one.
 *
 * <p>OpenSSL (BoringSSL through netty-tcnative) is used where it loads, the JDK's TLS otherwise.
 * Immutable; build with {@link #builder()}.
 *
 * @param certificateChain this side's certificate chain (PEM), required on a server
 * @param privateKey       this side's PKCS#8 private key (PEM)
 * @param trustedCertificates CA certificates (PEM) that verify the peer; {@code null} on a client
 *                         means the JDK's default trust store
 * @param clientAuth       server only: whether client certificates are required
 * @param insecureTrustAll client only: accept any server certificate (testing only)
 * @param verifyHostname   client only: check the server certificate names the host dialled
 */
public record TlsOptions(Path certificateChain, Path privateKey, Path trustedCertificates,
                         ClientAuth clientAuth, boolean insecureTrustAll, boolean verifyHostname) {

    /** Whether a server asks for client certificates. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRE }

    public TlsOptions {
        if ((certificateChain == null) != (privateKey == null)) {
            throw new IllegalArgumentException("certificate chain and private key go together: chain="
                    + certificateChain + ", key=" + privateKey);
        }
        for (Path p : new Path[] {certificateChain, privateKey, trustedCertificates}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("TLS file not readable: " + p);
            }
        }
        if (clientAuth == null) {
            clientAuth = ClientAuth.NONE;
        }
        if (clientAuth != ClientAuth.NONE && trustedCertificates == null) {
            throw new IllegalArgumentException("client authentication " + clientAuth + " needs trusted CA certificates");
        }
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Fluent construction of {@link TlsOptions}. */
    public static final class Builder {
        private Path chain;
        private Path key;
        private Path trust;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private boolean insecure;
        private boolean verifyHostname = true;

        private Builder() {
        }

        /** This side's certificate chain and private key (PEM). */
        public Builder keyPair(Path certificateChain, Path privateKey) {
            this.chain = certificateChain;
            this.key = privateKey;
            return this;
        }

        /** CA certificates (PEM) that verify the peer. */
        public Builder trust(Path trustedCertificates) {
            this.trust = trustedCertificates;
            return this;
        }

        /** Server: whether client certificates are required (mutual TLS). */
        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
            return this;
        }

        /** Client: accept any server certificate. For tests against self-signed servers only. */
        public Builder insecureTrustAll(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /** Client: check that the server certificate names the dialled host (default on). */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /** The options. */
        public TlsOptions build() {
            return new TlsOptions(chain, key, trust, clientAuth, insecure, verifyHostname);
        }
    }
}
