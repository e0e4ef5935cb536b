package dev.rekko.node.http;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.admin.RedisAdminException;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What each server of the topology says about itself ({@code INFO server stats memory clients keyspace}),
 * for {@code GET /api/servers}. Each server is asked on a short-lived admin connection (with the
 * backends' credentials and TLS, {@code rekko.backend}), off the HTTP threads, and gets {@link #TIMEOUT};
 * a server that does not answer is listed with its error. Answers are kept for {@link #MAX_AGE}, and
 * requests that come while a round is under way share it, so a console polling from many tabs costs the
 * servers one INFO per second at most.
 */
final class ServerInfoCache {
  static final Duration TIMEOUT = Duration.ofSeconds(1);
  static final Duration MAX_AGE = Duration.ofSeconds(1);
  private static final String[] INFO = {"INFO", "server", "stats", "memory", "clients", "keyspace"};

  /** One server: its numbers, or {@code error} (and null numbers) when INFO failed. */
  record ServerView(String addr, int group, String role, Long opsPerSec, Long usedMemory, Long keys,
      Long connectedClients, String error) {}

  private record Round(long startedNanos, CompletableFuture<List<ServerView>> result) {}

  private final Supplier<Topology> topology;
  private final BackendOptions backend;
  // Blocking admin calls: a few daemon threads that end when idle, so nothing needs stopping.
  private final ThreadPoolExecutor executor = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "rekko-server-info");
        t.setDaemon(true);
        return t;
      });
  private Round last;

  ServerInfoCache(Supplier<Topology> topology, BackendOptions backend) {
    this.topology = topology;
    this.backend = backend;
    executor.allowCoreThreadTimeOut(true);
  }

  /** Every server of the topology, by group then as listed, at most {@link #MAX_AGE} old. */
  synchronized CompletionStage<List<ServerView>> servers() {
    long now = System.nanoTime();
    if (last != null && (!last.result().isDone() || now - last.startedNanos() < MAX_AGE.toNanos())) {
      return last.result();
    }
    List<CompletableFuture<ServerView>> asks = new ArrayList<>();
    for (GroupInfo g : topology.get().groups().values()) {
      for (ServerInfo s : g.servers()) {
        String role = s.isMaster() ? "MASTER" : "REPLICA";
        asks.add(CompletableFuture.supplyAsync(() -> ask(s.addr(), g.id(), role), executor)
            .completeOnTimeout(failed(s.addr(), g.id(), role, "no answer within " + TIMEOUT.multipliedBy(2).toMillis()
                + " ms"), TIMEOUT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS));
      }
    }
    CompletableFuture<List<ServerView>> result = CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(done -> asks.stream().map(CompletableFuture::join).toList());
    last = new Round(now, result);
    return result;
  }

  private ServerView ask(String addr, int group, String role) {
    try (RedisAdmin admin = RedisAdmin.connect(addr, backend.user(), backend.password(), backend.tls(), TIMEOUT)) {
      RespValue reply = admin.call(INFO);
      String text = reply instanceof RespValue.BulkString b ? b.utf8()
          : reply instanceof RespValue.Verbatim v ? new String(v.text(), StandardCharsets.UTF_8) : null;
      if (text == null) {
        return failed(addr, group, role, "unexpected reply to INFO: " + reply);
      }
      Map<String, String> info = RedisAdmin.parseInfo(text);
      return new ServerView(addr, group, role, number(info, "instantaneous_ops_per_sec"), number(info, "used_memory"),
          keys(info), number(info, "connected_clients"), null);
    } catch (RedisAdminException | RuntimeException e) {
      return failed(addr, group, role, e.getMessage());
    }
  }

  /** The sum of {@code keys=} over the {@code dbN} lines of the keyspace section. */
  static long keys(Map<String, String> info) {
    long sum = 0;
    for (Map.Entry<String, String> e : info.entrySet()) {
      if (e.getKey().matches("db[0-9]+")) {
        for (String part : e.getValue().split(",")) {
          if (part.startsWith("keys=")) {
            sum += Long.parseLong(part.substring(5));
          }
        }
      }
    }
    return sum;
  }

  private static Long number(Map<String, String> info, String field) {
    String v = info.get(field);
    try {
      return v == null ? null : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static ServerView failed(String addr, int group, String role, String error) {
    return new ServerView(addr, group, role, null, null, null, null, error == null ? "failed" : error);
  }
}
