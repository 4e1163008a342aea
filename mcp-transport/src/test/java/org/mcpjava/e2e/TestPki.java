package org.mcpjava.e2e;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throwaway PKI for TLS tests: a root CA, a server certificate for {@code localhost} (DNS name
 * only, so dialling 127.0.0.1 fails hostname verification), client certificates from that CA and
 * from an unrelated one, all written as PEM files (certificate chain and
 * PKCS#8 private key) into a directory, the form {@link org.mcpjava.transport.TlsOptions} reads.
 */
final class TestPki {
    final Path caCert;
    final Path serverChain;
    final Path serverKey;
    final Path clientChain;
    final Path clientKey;
    /** A client certificate from a CA the server does not trust. */
    final Path rogueClientChain;
    final Path rogueClientKey;

    private TestPki(Path dir) throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=MCP Test CA").setIsCertificateAuthority(true)
                .ecp256().buildSelfSigned();
        X509Bundle server = new CertificateBuilder().subject("CN=localhost").ecp256()
                .addSanDnsName("localhost")
                .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
                .addExtendedKeyUsageServerAuth()
                .buildIssuedBy(ca);
        X509Bundle client = new CertificateBuilder().subject("CN=mcp-test-client").ecp256()
                .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
                .addExtendedKeyUsageClientAuth()
                .buildIssuedBy(ca);
        X509Bundle rogueCa = new CertificateBuilder().subject("CN=Rogue CA").setIsCertificateAuthority(true)
                .ecp256().buildSelfSigned();
        X509Bundle rogue = new CertificateBuilder().subject("CN=rogue-client").ecp256()
                .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
                .addExtendedKeyUsageClientAuth()
                .buildIssuedBy(rogueCa);
        caCert = write(dir.resolve("ca.pem"), ca.getCertificatePEM());
        serverChain = write(dir.resolve("server-chain.pem"), server.getCertificatePathPEM());
        serverKey = write(dir.resolve("server-key.pem"), server.getPrivateKeyPEM());
        clientChain = write(dir.resolve("client-chain.pem"), client.getCertificatePathPEM());
        clientKey = write(dir.resolve("client-key.pem"), client.getPrivateKeyPEM());
        rogueClientChain = write(dir.resolve("rogue-chain.pem"), rogue.getCertificatePathPEM());
        rogueClientKey = write(dir.resolve("rogue-key.pem"), rogue.getPrivateKeyPEM());
    }

    /** Creates the PKI in {@code dir}. */
    static TestPki create(Path dir) throws Exception {
        return new TestPki(dir);
    }

    private static Path write(Path file, String pem) throws Exception {
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        return file;
    }
}
