package dev.rekko.multinode;

import dev.rekko.node.RekkoNode;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.topology.SlotState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Address;

/**
 * A migration meets a partition: three nodes serve, 512 slots are asked to migrate from group 1 to group 2
 * while migrations are paused, the third node is cut off, and the migrations resume. Slots at their
 * barrier wait for it (pausing first makes sure no slot passed its barrier before the cut: barriers can
 * take well under a second); it fences itself and is downed; then the barrier goes on without it and every
 * slot ends online at group 2. Counters incremented
 * through nodes 1 and 2 throughout hold exactly their acknowledged increments.
 */
public final class MigrationBarrierSpec extends RekkoScenario {
  private static final int COUNTERS = 200;


  public MigrationBarrierSpec() {
    super(new ThreeRoles("MigrationBarrierSpec"));
  }

  @Override
  protected void run(RekkoNode node, String seeds) throws Exception {
    Address thirdAddress = addressOf(roles.third);

    Map<String, AtomicLong> acked = new ConcurrentHashMap<>();
    List<Thread> clients = new ArrayList<>();
    runOn(List.of(roles.first, roles.second), () -> {
      for (int c = 0; c < 2; c++) {
        Thread t = client(node.respPort(), myself().name() + c, acked);
        clients.add(t);
        t.start();
      }
      Thread.sleep(1000);
    });
    runOn(roles.first, () -> {
      removeFromBarriers(roles.third);
      post(node.httpPort(), "/api/migrations/pause", "{}");
      // Asking again is harmless (slots already on their way answer with their state): a slow machine may
      // leave a few slot actors without an answer in time on the first call.
      awaitCond("migration asked", () -> {
        try {
          post(node.httpPort(), "/api/slots/migrate", "{\"from\":0,\"to\":511,\"group\":2}");
          return true;
        } catch (Exception e) {
          note("asking for the migration again: " + e.getMessage());
          return false;
        }
      }, Duration.ofSeconds(120));
      blackhole(roles.first, roles.third);
      blackhole(roles.second, roles.third);
    });
    runOn(List.of(roles.first, roles.second), () -> {
      awaitCond("third unreachable", () -> isUnreachable(thirdAddress), Duration.ofSeconds(20));
      boolean waiting = node.topology().slots().stream().anyMatch(s -> s.id() <= 511
          && (s.state() == SlotState.PREPARING || s.state() == SlotState.BARRIER || s.state() == SlotState.PENDING));
      if (!waiting) {
        throw new AssertionError("every slot passed its barrier before the partition: nothing was tested");
      }
      note("while the third is unreachable, slots wait before their barrier");
      if (myself().equals(roles.first)) {
        // The coordinator writes with the majority that first and second still make.
        awaitCond("migrations resumed", () -> {
          try {
            post(node.httpPort(), "/api/migrations/resume", "{}");
            return true;
          } catch (Exception e) {
            note("resuming again: " + e.getMessage());
            return false;
          }
        }, Duration.ofSeconds(60));
      }
      awaitCond("third downed and removed", () -> upMembers().size() == 2
          && !upMembers().contains(thirdAddress), Duration.ofSeconds(40));
      awaitCond("all 512 slots online at group 2", () -> node.topology().slots().stream()
          .filter(s -> s.id() <= 511).allMatch(s -> s.state() == SlotState.ONLINE && s.group() == 2),
          Duration.ofSeconds(120));
      note("migration complete without the third node");
      Thread.sleep(1000);
      clients.forEach(Thread::interrupt);
      for (Thread t : clients) {
        t.join(10_000);
      }
      verify(node.respPort(), acked);
      enterBarrier("verified");
    });
    runOn(roles.third, () -> {
      node.stopped().toCompletableFuture().get(90, TimeUnit.SECONDS);
      note("downed and stopped");
    });
  }

  /** INCRs its own counters one at a time; a reply means acknowledged. A failed command ends the client. */
  private Thread client(int port, String name, Map<String, AtomicLong> acked) {
    Thread t = new Thread(() -> {
      try (LocalRedisClient c = new LocalRedisClient("127.0.0.1", port, 30_000)) {
        for (long i = 0; !Thread.currentThread().isInterrupted(); i++) {
          String key = "c:" + name + ":" + (i % COUNTERS);
          Object r = c.call("INCR", key);
          if (r instanceof Long) {
            acked.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
          } else {
            note("INCR " + key + " answered " + r);
          }
        }
      } catch (IOException e) {
        note("client " + name + " stopped: " + e);
      }
    }, "client-" + name);
    t.setDaemon(true);
    return t;
  }

  private void verify(int port, Map<String, AtomicLong> acked) throws IOException {
    long lost = 0;
    long extra = 0;
    try (LocalRedisClient c = new LocalRedisClient("127.0.0.1", port, 30_000)) {
      for (var e : acked.entrySet()) {
        Object v = c.call("GET", e.getKey());
        long actual = v == null ? 0 : Long.parseLong(v.toString());
        lost += actual < e.getValue().get() ? 1 : 0;
        extra += actual > e.getValue().get() ? 1 : 0;
      }
    }
    note(acked.size() + " counters checked: " + lost + " lost, " + extra + " extra");
    if (lost > 0 || extra > 0) {
      throw new AssertionError(lost + " counters lost increments, " + extra + " have more than acknowledged");
    }
  }

  private static String post(int httpPort, String path, String json) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

}
