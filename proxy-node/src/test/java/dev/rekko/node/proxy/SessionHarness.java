package dev.rekko.node.proxy;

import dev.rekko.node.config.BackendSettings;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RequestDecoder;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * One {@link Session} of a node that is not started, driven by the test as its client connection would
 * drive it: a command is dispatched and flushed, and on every wake-up the session's deferred commands are
 * processed. Behind it, a real backend pool and two real {@code redis-server}s, the masters of groups 1
 * and 2; the test sets the slots' states, which become the routing table as the node's topology follower
 * would make it. No Pekko, no client socket: what is tested is the session's routing alone.
 */
final class SessionHarness implements AutoCloseable {
  /** How long a test waits for a reply before it fails; nothing here is measured. */
  static final Duration WAIT = Duration.ofSeconds(20);

  final RedisServer g1;
  final RedisServer g2;
  final Router router = new Router(null);
  final Session session;
  private final BackendPool pool;
  private final Semaphore wakeUps = new Semaphore(0);
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final TreeMap<Integer, GroupInfo> groupChanges = new TreeMap<>();
  private long epoch;

  /** @param settings node settings ({@code rekko.*}) on top of the defaults */
  SessionHarness(Map<String, String> settings) {
    g1 = RedisServer.builder().start();
    closeables.add(g1);
    try {
      g2 = RedisServer.builder().start();
      closeables.add(g2);
      NodeConfig config = NodeConfig.of(settings);
      pool = new BackendPool(backendOptions(config.backend()), 1);
      closeables.add(0, pool);
      router.renewLease(System.nanoTime() + Duration.ofDays(1).toNanos());
      NodeContext ctx = new NodeContext(config.proxy(), config.backend(), config.migration(), router, pool,
          NodeStats.create());
      session = new Session(ctx, 1, "127.0.0.1:1", wakeUps::release, c -> c.flush(), 1);
      route();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  SessionHarness() {
    this(Map.of());
  }

  private static BackendOptions backendOptions(BackendSettings b) {
    return b.connections();
  }

  /** Every slot served by group 1 except those given; a new routing table, as after a topology change. */
  void route(SlotInfo... changed) {
    epoch++;
    List<SlotInfo> slots = new ArrayList<>(SlotHash.SLOTS);
    for (int s = 0; s < SlotHash.SLOTS; s++) {
      slots.add(SlotInfo.online(s, 1, 1));
    }
    for (SlotInfo s : changed) {
      slots.set(s.id(), s);
    }
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    groups.put(1, new GroupInfo(1, List.of(ServerInfo.master(g1.address())), false, 1));
    groups.put(2, new GroupInfo(2, List.of(ServerInfo.master(g2.address())), false, 1));
    groups.putAll(groupChanges);
    router.update(RoutingTable.fromTopology(new Topology(epoch, groups, slots, new TreeMap<>(), true, true)));
  }

  /**
   * From the next {@link #route} on, {@code group} stands for its group instead of the default one (group 1
   * or 2 with its one master): a group switching its master, a group with another master.
   */
  void group(GroupInfo group) {
    groupChanges.put(group.id(), group);
  }

  /** Refuses every command from now on, as a fenced node does. */
  void fence() {
    router.fence(true);
  }

  /** Dispatches one command in a batch of its own, as a client connection's read does; its reply slot. */
  Pending send(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    RequestDecoder decoder = new RequestDecoder();
    decoder.feed(new RespWriter(64).writeCommand(argv).toByteArray());
    Command cmd = decoder.next();
    session.beginBatch();
    session.dispatch(cmd);
    session.processDeferred();
    session.flush();
    session.endBatch();
    return session.queue().peekLast();
  }

  /** What the session's connection does on a wake-up: sends the deferred commands that may go now. */
  void drive() {
    session.clearSignal();
    session.beginBatch();
    session.processDeferred();
    session.flush();
    session.endBatch();
  }

  /** Waits for the session's next wake-up (a backend answered) without acting on it. */
  void awaitWakeUp() throws InterruptedException {
    if (!wakeUps.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("no wake-up within " + WAIT);
    }
  }

  /** The reply as RESP text without its last line end, driving the session until it has come. */
  String reply(Pending p) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!p.done) {
      drive();
      if (!p.done && !wakeUps.tryAcquire(20, TimeUnit.MILLISECONDS) && System.nanoTime() - deadline > 0) {
        throw new AssertionError("no reply within " + WAIT);
      }
    }
    return text(p);
  }

  /** A completed reply as RESP text without its last line end. */
  static String text(Pending p) {
    return new String(p.array, p.offset, p.length, StandardCharsets.UTF_8).stripTrailing();
  }

  /** A plain client of one server, closed with the harness. */
  Jedis direct(RedisServer server) {
    Jedis j = new Jedis(server.host(), server.port());
    closeables.add(0, j);
    return j;
  }

  static int slot(String key) {
    return SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception ignored) {
        // the next one still has to go
      }
    }
  }
}
