package dev.rekko.redis.admin;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.tls.BackendTls;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small blocking admin client for one Redis server: INFO, role, version, REPLICAOF, PING, and what a
 * failover needs (CLIENT PAUSE, FAILOVER, CONFIG REWRITE). It connects
 * (and authenticates) when created and holds one connection until {@link #close()}. Every failure is a
 * {@link RedisAdminException} whose message names the server. Not thread-safe; meant for short admin
 * conversations on a thread that may block.
 *
 * <pre>{@code
 * try (RedisAdmin admin = RedisAdmin.connect("127.0.0.1:6379", "", "secret", Duration.ofSeconds(2))) {
 *   if (admin.version().isAtLeast(RedisVersion.MINIMUM)) { admin.replicaOf("127.0.0.1", 6380); }
 * }
 * }</pre>
 */
public final class RedisAdmin implements AutoCloseable {
  private final String server;
  private final RespSocket socket;

  private RedisAdmin(String server, RespSocket socket) {
    this.server = server;
    this.socket = socket;
  }

  /** Connects without credentials. */
  public static RedisAdmin connect(String hostPort, Duration timeout) throws RedisAdminException {
    return connect(hostPort, "", "", timeout);
  }

  /**
   * Connects to {@code host:port} and, when {@code password} is not empty, authenticates ({@code AUTH
   * password}, or {@code AUTH user password} with an ACL user).
   *
   * @param user     ACL user; empty or null for the default user
   * @param password empty or null for none
   * @param timeout  for the connect and for each reply
   * @throws IllegalArgumentException when the address is not {@code host:port}
   * @throws RedisAdminException      when the server cannot be reached or refuses the credentials
   */
  public static RedisAdmin connect(String hostPort, String user, String password, Duration timeout)
      throws RedisAdminException {
    return connect(hostPort, user, password, null, timeout);
  }

  /**
   * As {@link #connect(String, String, String, Duration)}, over TLS when {@code tls} is not null (a server
   * that listens on {@code tls-port}); a failed TLS handshake is {@code UNREACHABLE}, its message says why.
   */
  public static RedisAdmin connect(String hostPort, String user, String password, BackendTls tls,
      Duration timeout) throws RedisAdminException {
    BackendAddress address = BackendAddress.parse(hostPort);
    String server = address.toString();
    RespSocket socket;
    try {
      socket = new RespSocket(address.host(), address.port(), timeout, timeout, tls);
    } catch (IOException e) {
      throw new RedisAdminException(server, RedisAdminException.Kind.UNREACHABLE,
          "cannot connect to " + server + ": " + describe(e), e);
    }
    RedisAdmin admin = new RedisAdmin(server, socket);
    if (password != null && !password.isEmpty()) {
      try {
        RespValue reply = user == null || user.isEmpty()
            ? admin.send("AUTH", password)
            : admin.send("AUTH", user, password);
        if (reply instanceof RespValue.Error e) {
          throw new RedisAdminException(server, RedisAdminException.Kind.AUTH,
              "authentication to " + server + " failed: " + e.message(), null);
        }
      } catch (RedisAdminException e) {
        admin.close();
        throw e;
      }
    }
    return admin;
  }

  /** {@code host:port} of this server. */
  public String server() {
    return server;
  }

  /** {@code PING}; throws unless the server answers {@code PONG}. */
  public void ping() throws RedisAdminException {
    String reply = text(call("PING"), "PING");
    if (!reply.equals("PONG")) {
      throw unexpected("PING", reply);
    }
  }

  /**
   * {@code INFO section} as {@code field -> value}: the {@code field:value} lines, without the
   * {@code # Section} headers. An empty section name asks for the default sections.
   */
  public Map<String, String> info(String section) throws RedisAdminException {
    RespValue reply = section == null || section.isEmpty() ? call("INFO") : call("INFO", section);
    return parseInfo(text(reply, "INFO"));
  }

  /** {@code redis_version} from {@code INFO server}. */
  public RedisVersion version() throws RedisAdminException {
    String v = info("server").get("redis_version");
    if (v == null) {
      throw unexpected("INFO server", "no redis_version");
    }
    try {
      return RedisVersion.parse(v);
    } catch (IllegalArgumentException e) {
      throw unexpected("INFO server", "redis_version:" + v);
    }
  }

  /** Master or replica, and for a replica whom it follows and how far it got, from {@code INFO replication}. */
  public ReplicationInfo role() throws RedisAdminException {
    try {
      return ReplicationInfo.parse(info("replication"));
    } catch (IllegalArgumentException e) {
      throw unexpected("INFO replication", e.getMessage());
    }
  }

  /** {@code REPLICAOF host port}: makes this server a replica of that master (it drops its own data). */
  public void replicaOf(String host, int port) throws RedisAdminException {
    expectOk(call("REPLICAOF", host, Integer.toString(port)), "REPLICAOF " + host + " " + port);
  }

  /** {@code REPLICAOF NO ONE}: makes this server a master, keeping its data. */
  public void replicaOfNoOne() throws RedisAdminException {
    expectOk(call("REPLICAOF", "NO", "ONE"), "REPLICAOF NO ONE");
  }

  /** {@code CONFIG SET name value}, e.g. {@code masterauth} before {@link #replicaOf}. */
  public void configSet(String name, String value) throws RedisAdminException {
    expectOk(call("CONFIG", "SET", name, value), "CONFIG SET " + name);
  }

  /**
   * {@code CONFIG GET name}: the value, or empty when the server knows no such parameter. Only for a single
   * parameter name, not a glob pattern.
   */
  public Optional<String> configGet(String name) throws RedisAdminException {
    RespValue reply = call("CONFIG", "GET", name);
    if (!(reply instanceof RespValue.Array a)) {
      throw unexpected("CONFIG GET " + name, String.valueOf(reply));
    }
    List<RespValue> items = a.elements(); // RESP2: name, value
    return items.size() < 2 ? Optional.empty() : Optional.of(text(items.get(1), "CONFIG GET " + name));
  }

  /**
   * {@code CONFIG REWRITE}: writes the running configuration to the server's config file, so a role change
   * survives a restart.
   *
   * @return false when the server was started without a config file (there is nothing to rewrite)
   */
  public boolean configRewrite() throws RedisAdminException {
    try {
      expectOk(call("CONFIG", "REWRITE"), "CONFIG REWRITE");
      return true;
    } catch (RedisAdminException e) {
      if (e.kind() == RedisAdminException.Kind.ERROR_REPLY && e.getMessage().contains("without a config file")) {
        return false;
      }
      throw e;
    }
  }

  /**
   * {@code CLIENT PAUSE millis WRITE}: the server holds every write command (and the commands that may
   * write) from every client until {@link #clientUnpause()} or the time runs out; reads go on.
   */
  public void clientPauseWrite(long millis) throws RedisAdminException {
    expectOk(call("CLIENT", "PAUSE", Long.toString(millis), "WRITE"), "CLIENT PAUSE");
  }

  /** {@code CLIENT UNPAUSE}: ends a {@link #clientPauseWrite} early; the held commands run. */
  public void clientUnpause() throws RedisAdminException {
    expectOk(call("CLIENT", "UNPAUSE"), "CLIENT UNPAUSE");
  }

  /**
   * {@code FAILOVER TO host port TIMEOUT millis}, sent to a master: it pauses writes, waits for that replica
   * to catch up, promotes it and becomes its replica. The reply comes at once; the switch completes (or is
   * aborted after the timeout, the master staying master) in the background — watch {@code ROLE}.
   */
  public void failoverTo(String host, int port, long timeoutMillis) throws RedisAdminException {
    expectOk(call("FAILOVER", "TO", host, Integer.toString(port), "TIMEOUT", Long.toString(timeoutMillis)),
        "FAILOVER TO " + host + " " + port);
  }

  /**
   * Sends any command and returns its reply; an error reply is thrown as
   * {@link RedisAdminException.Kind#ERROR_REPLY} (or {@code AUTH} for {@code NOAUTH}/{@code WRONGPASS}).
   */
  public RespValue call(String... args) throws RedisAdminException {
    RespValue reply = send(args);
    if (reply instanceof RespValue.Error e) {
      String msg = e.message();
      boolean auth = msg.startsWith("NOAUTH") || msg.startsWith("WRONGPASS");
      throw new RedisAdminException(server, auth ? RedisAdminException.Kind.AUTH
          : RedisAdminException.Kind.ERROR_REPLY, server + ": " + args[0] + " failed: " + msg, null);
    }
    return reply;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to release beyond the socket
    }
  }

  /** Parses INFO's text: {@code field:value} lines; headers, blank lines and lines without ':' are skipped. */
  public static Map<String, String> parseInfo(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : text.split("\r?\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
      }
    }
    return fields;
  }

  private RespValue send(String... args) throws RedisAdminException {
    try {
      return socket.call(args);
    } catch (IOException e) {
      close();
      throw new RedisAdminException(server, RedisAdminException.Kind.UNREACHABLE,
          server + ": " + args[0] + " failed: " + describe(e), e);
    }
  }

  private void expectOk(RespValue reply, String command) throws RedisAdminException {
    String text = text(reply, command);
    // REPLICAOF answers "OK Already connected to specified master" when nothing changes.
    if (!text.startsWith("OK")) {
      throw unexpected(command, text);
    }
  }

  private String text(RespValue reply, String command) throws RedisAdminException {
    if (reply instanceof RespValue.SimpleString s) {
      return s.value();
    }
    if (reply instanceof RespValue.BulkString b) {
      return b.utf8();
    }
    if (reply instanceof RespValue.Verbatim v) {
      return new String(v.text(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    throw unexpected(command, String.valueOf(reply));
  }

  private RedisAdminException unexpected(String command, String what) {
    return new RedisAdminException(server, RedisAdminException.Kind.UNEXPECTED_REPLY,
        server + ": unexpected reply to " + command + ": " + what, null);
  }

  private static String describe(IOException e) {
    if (e instanceof SocketTimeoutException) {
      return "timed out";
    }
    String msg = e.getMessage();
    if (e instanceof javax.net.ssl.SSLException) {
      return "TLS: " + (msg == null || msg.isBlank() ? e.getClass().getSimpleName() : msg);
    }
    return msg == null || msg.isBlank() ? e.getClass().getSimpleName() : msg;
  }
}
