package dev.rekko.redis.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Certificates and keys in PEM files, as Redis, nginx and cert-manager write them, read into the JDK's
 * key and trust stores. A private key may be PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA or SEC1 EC
 * ({@code BEGIN RSA/EC PRIVATE KEY}); encrypted keys are not read. Errors name the file.
 */
public final class PemFiles {
  /** The password of the in-memory key stores: never written anywhere, the stores live in memory only. */
  static final char[] NO_PASSWORD = new char[0];

  private PemFiles() {}

  /** Every certificate in {@code file}, in order (a chain: the leaf first). */
  public static List<X509Certificate> certificates(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      Collection<? extends java.security.cert.Certificate> all =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      List<X509Certificate> out = new ArrayList<>();
      for (var c : all) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IOException(file + " holds no PEM certificate");
      }
      return out;
    } catch (CertificateException e) {
      throw new IOException(file + " is not a readable PEM certificate file: " + e.getMessage(), e);
    }
  }

  /** The private key in {@code file}. */
  public static PrivateKey privateKey(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          // PKCS#1 RSA or SEC1 EC; the latter may come without its public key.
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
      }
      throw new IOException(file + " holds no unencrypted PEM private key");
    }
  }

  /** A key store holding {@code key} with its certificate chain, for a {@code KeyManagerFactory}. */
  public static KeyStore keyStore(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = certificates(certFile);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("key", privateKey(keyFile), NO_PASSWORD, chain.toArray(new X509Certificate[0]));
    return ks;
  }

  /** A trust store of every certificate in {@code caFile}, for a {@code TrustManagerFactory}. */
  public static KeyStore trustStore(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    int i = 0;
    for (X509Certificate c : certificates(caFile)) {
      ts.setCertificateEntry("ca-" + i++, c);
    }
    return ts;
  }
}
