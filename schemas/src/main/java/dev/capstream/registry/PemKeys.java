package dev.capstream.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** Reads a PEM certificate chain and PKCS#8 private key into an in-memory keystore for a key manager. */
final class PemKeys {

    /** The in-memory store's password: it never leaves this process. */
    static final char[] STORE_PASSWORD = new char[0];

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN (ENCRYPTED PRIVATE KEY|PRIVATE KEY|RSA PRIVATE KEY|EC PRIVATE KEY)-----([^-]+)-----END \\1-----");

    private PemKeys() {
    }

    static KeyStore keyStore(Path certificateFile, Path keyFile, String keyPassword)
            throws IOException, GeneralSecurityException {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(certificateFile)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
        }
        if (chain.length == 0) {
            throw new GeneralSecurityException("no certificate in " + certificateFile + " (PEM, BEGIN CERTIFICATE)");
        }
        PrivateKey key = privateKey(Files.readString(keyFile), keyPassword, chain[0].getPublicKey().getAlgorithm(),
                keyFile);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key, STORE_PASSWORD, chain);
        return store;
    }

    private static PrivateKey privateKey(String pem, String password, String algorithm, Path file)
            throws IOException, GeneralSecurityException {
        Matcher m = BLOCK.matcher(pem);
        if (!m.find()) {
            throw new GeneralSecurityException("no private key in " + file + " (PEM, BEGIN PRIVATE KEY)");
        }
        if (m.group(1).startsWith("RSA") || m.group(1).startsWith("EC")) {
            throw new GeneralSecurityException(file + " holds a " + m.group(1) + " (PKCS#1/SEC1); convert it to PKCS#8 "
                    + "with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        PKCS8EncodedKeySpec spec;
        if (m.group(1).startsWith("ENCRYPTED")) {
            if (password == null) {
                throw new GeneralSecurityException(file + " is an encrypted key but no key password was given");
            }
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            AlgorithmParameters parameters = info.getAlgParameters();
            // For PBES2 the parameters name the real scheme (e.g. PBEWithHmacSHA256AndAES_256).
            String scheme = parameters != null ? parameters.toString() : info.getAlgName();
            Cipher cipher = Cipher.getInstance(scheme);
            cipher.init(Cipher.DECRYPT_MODE,
                    SecretKeyFactory.getInstance(scheme).generateSecret(new PBEKeySpec(password.toCharArray())),
                    parameters);
            spec = info.getKeySpec(cipher);
        } else {
            spec = new PKCS8EncodedKeySpec(der);
        }
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
    }
}
