package dev.rekko.redis.launcher;

import dev.rekko.redis.tls.BackendTls;
import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** How to start a {@link RedisServer}; obtained from {@link RedisServer#builder()}, finished by {@link #start()}. */
public final class RedisServerOptions {
  private String host = "127.0.0.1";
  private int port;
  private String password;
  private String user;
  private String userPassword;
  private String masterHost;
  private int masterPort;
  private String masterUser;
  private String masterPassword;
  private final List<String> extraConfig = new ArrayList<>();
  private Path dataDir;
  private RedisBinary binary;
  private Duration startTimeout = Duration.ofSeconds(20);
  private Path tlsCert;
  private Path tlsKey;
  private Path tlsCa;
  private boolean tlsAuthClients = true;
  private boolean tlsCluster = true;
  private BackendTls tlsClient;

  RedisServerOptions() {}

  /** Loopback by default; tests and the demo never bind anything else. */
  public RedisServerOptions host(String host) {
    this.host = host;
    return this;
  }

  /** 0 (the default) picks a free port. */
  public RedisServerOptions port(int port) {
    this.port = port;
    return this;
  }

  /** {@code requirepass}: the password of the default user. */
  public RedisServerOptions password(String password) {
    this.password = password;
    return this;
  }

  /**
   * An ACL user with all permissions. Unless {@link #password} is also set, the default user is
   * switched off, so this user is the only way in.
   */
  public RedisServerOptions aclUser(String user, String password) {
    this.user = user;
    this.userPassword = password;
    return this;
  }

  /** Starts as a replica of {@code master}, authenticating with the master's credentials. */
  public RedisServerOptions replicaOf(RedisServer master) {
    RedisServerOptions m = master.options();
    replicaOf(master.host(), master.port());
    if (m.user != null) {
      masterUser = m.user;
      masterPassword = m.userPassword;
    } else {
      masterPassword = m.password;
    }
    return this;
  }

  public RedisServerOptions replicaOf(String host, int port) {
    this.masterHost = host;
    this.masterPort = port;
    return this;
  }

  /** A line of redis.conf, e.g. {@code "maxmemory 100mb"}; later lines override earlier ones. */
  public RedisServerOptions config(String line) {
    extraConfig.add(line);
    return this;
  }

  /**
   * Serves TLS only: the server's {@link RedisServer#port() port} is its {@code tls-port}, and plain TCP is
   * off ({@code port 0}). With {@code tls-replication yes} (a replica reaches its master over TLS) and, unless
   * {@link #tlsCluster(boolean) turned off}, {@code tls-cluster yes}: the one setting that makes the
   * server's {@code MIGRATE} reach its target over TLS. The server presents {@code cert} to its TLS clients
   * and, as a client itself (replication, MIGRATE), too; it checks peers against {@code ca}. The launcher's
   * own client (readiness, {@link RedisServer#client()}) also uses {@code cert}, so it must allow client use.
   */
  public RedisServerOptions tls(Path cert, Path key, Path ca) {
    this.tlsCert = cert;
    this.tlsKey = key;
    this.tlsCa = ca;
    this.tlsClient = null;
    return this;
  }

  /** {@code tls-auth-clients}: clients must present a certificate (the default) or not. */
  public RedisServerOptions tlsAuthClients(boolean required) {
    this.tlsAuthClients = required;
    return this;
  }

  /** {@code tls-cluster}: on (the default with {@link #tls}) this server's MIGRATE connects with TLS. */
  public RedisServerOptions tlsCluster(boolean on) {
    this.tlsCluster = on;
    return this;
  }

  /** A folder kept after close; by default a temporary folder that close deletes. */
  public RedisServerOptions dataDir(Path dir) {
    this.dataDir = dir;
    return this;
  }

  /** The binary; by default {@link RedisBinary#resolve()}. */
  public RedisServerOptions binary(RedisBinary binary) {
    this.binary = binary;
    return this;
  }

  public RedisServerOptions startTimeout(Duration timeout) {
    this.startTimeout = timeout;
    return this;
  }

  /** Starts the server and waits until it answers PING. */
  public RedisServer start() {
    return RedisServer.launch(this);
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  String password() {
    return password;
  }

  boolean tlsOn() {
    return tlsCert != null;
  }

  /** The client side of {@link #tls}, with the server's own certificate; null without TLS. */
  synchronized BackendTls tlsClient() {
    if (tlsCert == null) {
      return null;
    }
    if (tlsClient == null) {
      try {
        tlsClient = BackendTls.of(TlsContexts.client(Optional.of(tlsCa), Optional.of(tlsCert), Optional.of(tlsKey)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the TLS files of redis-server", e);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("unusable TLS files for redis-server: " + e.getMessage(), e);
      }
    }
    return tlsClient;
  }

  Path dataDir() {
    return dataDir;
  }

  Duration startTimeout() {
    return startTimeout;
  }

  synchronized RedisBinary binary() {
    if (binary == null) {
      binary = RedisBinary.resolve();
    }
    return binary;
  }

  /** The AUTH command for this server's credentials, or an empty list. */
  List<String> authArgs() {
    if (user != null) {
      return List.of("AUTH", user, userPassword);
    }
    return password == null ? List.of() : List.of("AUTH", password);
  }

  String configText(Path dir, int port) {
    List<String> lines = new ArrayList<>(List.of(
        "bind " + host,
        tlsOn() ? "port 0" : "port " + port,
        "daemonize no",
        "dir " + quote(dir.toString()),
        "pidfile " + quote(dir.resolve("redis.pid").toString()),
        "logfile " + quote(dir.resolve("redis.log").toString()),
        "save \"\"",
        "appendonly no"));
    if (password != null) {
      lines.add("requirepass " + quote(password));
    }
    if (user != null) {
      lines.add("user " + user + " on >" + userPassword + " ~* &* +@all");
      if (password == null) {
        lines.add("user default off");
      }
    }
    if (masterHost != null) {
      lines.add("replicaof " + masterHost + " " + masterPort);
      if (masterUser != null) {
        lines.add("masteruser " + masterUser);
      }
      if (masterPassword != null) {
        lines.add("masterauth " + quote(masterPassword));
      }
    }
    if (tlsOn()) {
      lines.add("tls-port " + port);
      lines.add("tls-cert-file " + quote(tlsCert.toString()));
      lines.add("tls-key-file " + quote(tlsKey.toString()));
      lines.add("tls-ca-cert-file " + quote(tlsCa.toString()));
      lines.add("tls-auth-clients " + (tlsAuthClients ? "yes" : "no"));
      lines.add("tls-replication yes");
      lines.add("tls-cluster " + (tlsCluster ? "yes" : "no"));
    }
    lines.addAll(extraConfig);
    return String.join("\n", lines) + "\n";
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
