package dev.rekko.redis.launcher;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.admin.RespSocket;
import dev.rekko.redis.tls.BackendTls;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny blocking RESP2 client for the launcher's own needs (readiness, role, INFO) and for tests and
 * tools that want to poke a server without a client library. Not for the data path. Replies come as
 * plain Java values; {@link dev.rekko.redis.admin.RedisAdmin} is the typed admin client.
 */
public final class LocalRedisClient implements AutoCloseable {
  private final RespSocket socket;

  public LocalRedisClient(String host, int port, int timeoutMillis) throws IOException {
    this(host, port, timeoutMillis, null);
  }

  /** Over TLS when {@code tls} is not null (a server's {@code tls-port}). */
  public LocalRedisClient(String host, int port, int timeoutMillis, BackendTls tls) throws IOException {
    Duration timeout = Duration.ofMillis(timeoutMillis);
    socket = new RespSocket(host, port, timeout, timeout, tls);
  }

  /**
   * Sends one command and returns the reply: String for simple and bulk strings, Long for integers,
   * List for arrays, null for nil, and {@link RedisError} for error replies (returned, not thrown).
   */
  public Object call(String... args) throws IOException {
    return plain(socket.call(args));
  }

  /** Like {@link #call} but throws when Redis answers with an error. */
  public Object ok(String... args) throws IOException {
    Object reply = call(args);
    if (reply instanceof RedisError e) {
      throw new IOException(args[0] + " failed: " + e.message());
    }
    return reply;
  }

  private static Object plain(RespValue v) throws IOException {
    if (v instanceof RespValue.SimpleString s) {
      return s.value();
    }
    if (v instanceof RespValue.BulkString b) {
      return b.utf8();
    }
    if (v instanceof RespValue.Error e) {
      return new RedisError(e.message());
    }
    if (v instanceof RespValue.Integer i) {
      return i.value();
    }
    if (v instanceof RespValue.NullBulk || v instanceof RespValue.NullArray || v instanceof RespValue.Null) {
      return null;
    }
    if (v instanceof RespValue.Array a) {
      List<Object> items = new ArrayList<>(a.elements().size());
      for (RespValue e : a.elements()) {
        items.add(plain(e));
      }
      return items;
    }
    throw new IOException("unexpected reply " + v);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** An error reply. */
  public record RedisError(String message) {}
}
