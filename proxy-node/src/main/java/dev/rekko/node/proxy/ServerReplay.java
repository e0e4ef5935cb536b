package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what {@link ServerSettings} remembers to one server that joined the topology: a CONFIG SET per
 * remembered parameter and a SCRIPT LOAD per remembered script, on a dedicated connection; for a new
 * master also the functions, {@code FUNCTION DUMP} from a master that was there before and
 * {@code FUNCTION RESTORE … REPLACE} on the new one (nothing when the dump holds no library). All of it
 * is idempotent, so a round that lost its connection (the server not up yet; a replica's connection is
 * closed at the next topology change, {@code BackendPool#retainOnly}) simply runs again, up to
 * {@link #ATTEMPTS} times while the server stays in the topology. An error reply (a value the new
 * server refuses) is logged and not retried. Never blocks: replies arrive on backend I/O threads.
 */
final class ServerReplay {
  private static final Logger log = LoggerFactory.getLogger(ServerReplay.class);
  static final int ATTEMPTS = 5;
  /** A FUNCTION DUMP without a library: the RDB version (2 bytes) and the checksum (8 bytes). */
  private static final int EMPTY_DUMP = 10;

  private final ServerSettings settings;
  private final BackendAddress server;
  /** Where a new master's functions come from; null for a replica, or when no other master exists. */
  private final BackendAddress functionsFrom;
  private final int attempt;
  private final AtomicInteger outstanding = new AtomicInteger();
  private final List<String> applied = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();
  private volatile boolean lostConnection;
  private BackendConnection connection;

  ServerReplay(ServerSettings settings, BackendAddress server, BackendAddress functionsFrom, int attempt) {
    this.settings = settings;
    this.server = server;
    this.functionsFrom = functionsFrom;
    this.attempt = attempt;
  }

  void run() {
    Map<String, String> configs = settings.configs();
    Map<String, byte[]> scripts = settings.scripts();
    if (configs.isEmpty() && scripts.isEmpty() && functionsFrom == null) {
      return;
    }
    outstanding.set(configs.size() + scripts.size() + (functionsFrom != null ? 1 : 0));
    connection = settings.pool().dedicated(server, 0, 2);
    configs.forEach((name, value) -> send(handler("CONFIG SET " + name + " " + value), "CONFIG", "SET", name, value));
    scripts.forEach((sha, body) -> {
      byte[] cmd = encode("SCRIPT".getBytes(StandardCharsets.US_ASCII), "LOAD".getBytes(StandardCharsets.US_ASCII), body);
      connection.send(cmd, 0, cmd.length, handler("SCRIPT LOAD " + sha), false);
    });
    connection.flush();
    if (functionsFrom != null) {
      Broadcast.once(settings.pool(), functionsFrom, encode("FUNCTION", "DUMP"), new ReplyHandler() {
        @Override
        public void onReply(Reply reply) {
          restore(reply);
        }

        @Override
        public void onFailure(String error) {
          lost("FUNCTION DUMP on " + functionsFrom, error);
        }
      });
    }
  }

  private void restore(Reply dump) {
    String what = "FUNCTION RESTORE (from " + functionsFrom + ")";
    if (dump.isError() || !(dump.value() instanceof RespValue.BulkString payload)) {
      refused("FUNCTION DUMP on " + functionsFrom, dump.isError() ? Gather.errorText(dump) : dump.toString());
      return;
    }
    if (payload.bytes().length <= EMPTY_DUMP) {
      done();
      return;
    }
    byte[] cmd = encode("FUNCTION".getBytes(StandardCharsets.US_ASCII), "RESTORE".getBytes(StandardCharsets.US_ASCII),
        payload.bytes(), "REPLACE".getBytes(StandardCharsets.US_ASCII));
    connection.send(cmd, 0, cmd.length, handler(what), false);
    connection.flush();
  }

  private ReplyHandler handler(String what) {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        if (reply.isError()) {
          refused(what, Gather.errorText(reply));
        } else {
          synchronized (ServerReplay.this) {
            applied.add(what);
          }
          done();
        }
      }

      @Override
      public void onFailure(String error) {
        lost(what, error);
      }
    };
  }

  private void refused(String what, String error) {
    synchronized (this) {
      failed.add(what + ": " + error);
    }
    done();
  }

  private void lost(String what, String error) {
    lostConnection = true;
    refused(what, error);
  }

  /** One step ended; the last one releases the connection, logs, and tries again if one was lost. */
  private void done() {
    if (outstanding.decrementAndGet() > 0) {
      return;
    }
    settings.pool().release(connection);
    boolean again = lostConnection && attempt < ATTEMPTS && settings.present(server);
    synchronized (this) {
      if (!applied.isEmpty()) {
        log.info("New server {}: applied what this node's clients set on every server: {}", server, applied);
      }
      if (!failed.isEmpty()) {
        log.warn("New server {}: could not apply {}{}", server, failed,
            again ? "; trying again (attempt " + (attempt + 1) + " of " + ATTEMPTS + ")" : "");
      }
    }
    if (again) {
      ServerReplay next = new ServerReplay(settings, server, functionsFrom, attempt + 1);
      CompletableFuture.runAsync(next::run,
          CompletableFuture.delayedExecutor(1L << (attempt - 1), TimeUnit.SECONDS));
    }
  }

  private void send(ReplyHandler handler, String... args) {
    byte[] cmd = encode(args);
    connection.send(cmd, 0, cmd.length, handler, false);
  }

  private static byte[] encode(String... args) {
    byte[][] parts = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      // As the client's arguments were read (Args.string): one char per byte.
      parts[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    return encode(parts);
  }

  private static byte[] encode(byte[]... args) {
    return new RespWriter(64).writeCommand(args).toByteArray();
  }
}
