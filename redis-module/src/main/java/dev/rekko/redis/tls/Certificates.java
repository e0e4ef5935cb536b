package dev.rekko.redis.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throw-away certificates for the demo ({@code demo --tls}) and the tests: a CA, and certificates it signs
 * for servers (loopback names) and clients, written as PEM files as Redis and Rekko read them. EC P-256
 * keys, SHA-256 signatures; not for production, where certificates come from the operator's own CA.
 */
public final class Certificates {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration VALID = Duration.ofDays(365);

  /** A certificate and its key as files: {@code NAME.crt} and {@code NAME.key} in one folder. */
  public record Issued(Path cert, Path key) {}

  private final X509Certificate caCert;
  private final KeyPair caKeys;
  private final Path ca;

  private Certificates(X509Certificate caCert, KeyPair caKeys, Path ca) {
    this.caCert = caCert;
    this.caKeys = caKeys;
    this.ca = ca;
  }

  /** Creates a new CA named {@code name} and writes {@code ca.crt} (and {@code ca.key}) into {@code dir}. */
  public static Certificates newCa(Path dir, String name) throws IOException, GeneralSecurityException {
    Files.createDirectories(dir);
    KeyPair keys = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder b = builder(subject, subject, keys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate cert = sign(b, keys);
    Path caFile = dir.resolve("ca.crt");
    write(caFile, cert);
    writeKey(dir.resolve("ca.key"), keys);
    return new Certificates(cert, keys, caFile);
  }

  /** The CA's certificate file: what clients and servers trust. */
  public Path caFile() {
    return ca;
  }

  /**
   * A certificate for {@code name}, valid as a server for {@code 127.0.0.1}, {@code ::1} and {@code
   * localhost} and as a client, written as {@code name.crt}/{@code name.key} beside the CA.
   */
  public Issued issue(String name) throws IOException, GeneralSecurityException {
    KeyPair keys = keyPair();
    X509v3CertificateBuilder b = builder(new X500Name(caCert.getSubjectX500Principal().getName()), new X500Name("CN=" + name), keys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    List<GeneralName> names = new ArrayList<>(List.of(new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.iPAddress, "::1"), new GeneralName(GeneralName.dNSName, "localhost")));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
    X509Certificate cert = sign(b, caKeys);
    Path dir = ca.getParent();
    Issued issued = new Issued(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    write(issued.cert(), cert);
    writeKey(issued.key(), keys);
    return issued;
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256, RANDOM);
    return g.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALID)), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  /** PKCS#8 ({@code BEGIN PRIVATE KEY}), which OpenSSL (Redis), the JDK and every tool read. */
  private static void writeKey(Path file, KeyPair keys) throws IOException {
    write(file, new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", keys.getPrivate().getEncoded()));
  }

  private static void write(Path file, Object pem) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(text)) {
      w.writeObject(pem);
    }
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      out.write(text.toString());
    }
  }
}
