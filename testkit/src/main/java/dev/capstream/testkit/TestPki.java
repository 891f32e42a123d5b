package dev.capstream.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made by the test with the JDK's keytool: a CA, a server
 * certificate for 127.0.0.1/localhost, client certificates signed by the CA, and a "rogue" client
 * certificate the CA never signed. Certificates are valid for two days, so nothing checked in can
 * expire. Every store is PKCS12 with {@link #PASSWORD}; PEM copies sit beside them.
 */
public final class TestPki {

    /** The password of every store and key this PKI writes. */
    public static final String PASSWORD = "changeit-test";

    private final Path dir;

    /** A client's or server's key material in both forms capstream accepts. */
    public record Identity(String name, Path keystore, Path certificateChainPem, Path privateKeyPem) {
    }

    private TestPki(Path dir) {
        this.dir = dir;
    }

    /** Makes the CA, a server identity {@code server} and a truststore holding the CA under {@code dir}. */
    public static TestPki create(Path dir) {
        TestPki pki = new TestPki(dir);
        try {
            Files.createDirectories(dir);
            pki.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=capstream-test-ca",
                    "-ext", "bc:c", "-validity", "2", "-keystore", pki.file("ca.p12"), "-storepass", PASSWORD);
            pki.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", pki.file("ca.p12"), "-storepass", PASSWORD,
                    "-file", pki.file("ca.pem"));
            pki.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", pki.file("ca.pem"),
                    "-keystore", pki.file("truststore.p12"), "-storepass", PASSWORD, "-storetype", "PKCS12");
            pki.signed("server", "CN=localhost", "san=ip:127.0.0.1,dns:localhost");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pki;
    }

    /** The CA certificate as PEM. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A PKCS12 truststore holding only the CA. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** The server's identity: CN=localhost, SAN 127.0.0.1 and localhost. */
    public Identity server() {
        return identity("server");
    }

    /** A client identity {@code CN=<name>} signed by the CA (made on first use). */
    public Identity client(String name) {
        if (!Files.exists(dir.resolve(name + ".p12"))) {
            signed(name, "CN=" + name, null);
        }
        return identity(name);
    }

    /** A self-signed client identity {@code CN=<name>} the CA never signed: servers must refuse it. */
    public Identity rogueClient(String name) {
        if (!Files.exists(dir.resolve(name + ".p12"))) {
            keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-dname", "CN=" + name, "-validity", "2",
                    "-keystore", file(name + ".p12"), "-storepass", PASSWORD);
            keytool("-exportcert", "-rfc", "-alias", name, "-keystore", file(name + ".p12"), "-storepass", PASSWORD,
                    "-file", file(name + ".pem"));
            writeKeyPem(name);
        }
        return identity(name);
    }

    private Identity identity(String name) {
        return new Identity(name, dir.resolve(name + ".p12"), dir.resolve(name + ".pem"), dir.resolve(name + ".key.pem"));
    }

    private void signed(String name, String dname, String san) {
        String store = file(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-dname", dname, "-validity", "2",
                "-keystore", store, "-storepass", PASSWORD);
        keytool("-certreq", "-alias", name, "-keystore", store, "-storepass", PASSWORD, "-file", file(name + ".csr"));
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", file("ca.p12"),
                "-storepass", PASSWORD, "-validity", "2", "-infile", file(name + ".csr"), "-outfile", file(name + ".crt")));
        if (san != null) {
            gencert.addAll(List.of("-ext", san));
        }
        keytool(gencert.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.pem"), "-keystore", store,
                "-storepass", PASSWORD);
        keytool("-importcert", "-alias", name, "-file", file(name + ".crt"), "-keystore", store, "-storepass", PASSWORD);
        try {
            Files.writeString(dir.resolve(name + ".pem"),
                    Files.readString(dir.resolve(name + ".crt")) + Files.readString(caPem()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeKeyPem(name);
    }

    /** keytool cannot export a private key: read it from the store and write it as PEM PKCS#8. */
    private void writeKeyPem(String name) {
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            Key key = store.getKey(name, PASSWORD.toCharArray());
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(((PrivateKey) key).getEncoded());
            Files.writeString(dir.resolve(name + ".key.pem"),
                    "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the key of " + name, e);
        }
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
