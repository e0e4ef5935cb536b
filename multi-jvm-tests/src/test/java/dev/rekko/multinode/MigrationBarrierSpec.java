package dev.rekko.multinode;

import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.proxy.RekkoNode;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.SlotState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.testconductor.RoleName;

/**
 * A migration meets a partition: three nodes serve, 512 slots start migrating from group 1 to group 2,
 * and the third node is cut off at once. Slots at their barrier wait for it; it fences itself and is
 * downed; then the barrier goes on without it and every slot ends online at group 2. Counters incremented
 * through nodes 1 and 2 throughout hold exactly their acknowledged increments.
 */
public final class MigrationBarrierSpec extends MultiNodeScenario {
  private static final Path DIR = Path.of("target/multi-jvm/MigrationBarrierSpec");
  private static final int COUNTERS = 200;

  static final class Roles extends ClusterNodeConfig {
    final RoleName first = role("first");
    final RoleName second = role("second");
    final RoleName third = role("third");

    Roles() {
      for (RoleName r : List.of(first, second, third)) {
        String data = DIR.resolve("data-" + r.name()).toAbsolutePath().toString();
        overrideConfig(r, """
            pekko.cluster.distributed-data.durable.keys = ["rekko-*"]
            pekko.cluster.distributed-data.durable.lmdb.dir = "%s/distributed-data"
            pekko.cluster.sharding.distributed-data.durable.lmdb.dir = "%s/sharding"
            pekko.cluster.distributed-data.notify-subscribers-interval = 100ms
            """.formatted(data, data));
      }
    }
  }

  private final Roles roles;
  private final List<RedisServer> redis = new ArrayList<>();

  public MigrationBarrierSpec() {
    this(new Roles());
  }

  private MigrationBarrierSpec(Roles roles) {
    super(roles);
    this.roles = roles;
  }

  @Override
  public void scenario() throws Exception {
    Path seedsFile = DIR.resolve("bootstrap-groups");
    runOn(roles.first, () -> {
      redis.add(RedisServer.builder().start());
      redis.add(RedisServer.builder().start());
      // Seeded evenly: group 1 owns 0-511, which then move to group 2.
      Files.writeString(seedsFile, GroupSeed.format(List.of(
          new GroupSeed(1, List.of(redis.get(0).address())), new GroupSeed(2, List.of(redis.get(1).address())))));
    });
    enterBarrier("redis-up");
    String seeds = Files.readString(seedsFile);
    try {
      run(seeds);
    } finally {
      redis.forEach(RedisServer::close);
    }
  }

  private void run(String seeds) throws Exception {
    ActorSystem<Void> typed = Adapter.toTyped(system());
    RekkoNode node = RekkoNode.startOn(typed, NodeConfig.of(settings(seeds)), false);
    joinCluster(roles.first);
    awaitCond("serving", node::serving, Duration.ofSeconds(60));
    enterBarrier("all-serving");
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
      String done = post(node.httpPort(), "/api/slots/migrate", "{\"from\":0,\"to\":511,\"group\":2}");
      note("migration asked: " + done.substring(0, Math.min(80, done.length())));
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
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static Map<String, String> settings(String seeds) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("rekko.proxy.port", "0");
    o.put("rekko.admin.port", "0");
    o.put("rekko.cluster.port", "0");
    o.put("rekko.cluster.stable-after", "5s");
    o.put("rekko.cluster.fence-after", "2s");
    o.put("rekko.bootstrap.groups", seeds);
    o.put("rekko.data-dir", "unused-in-an-existing-system");
    return o;
  }
}
