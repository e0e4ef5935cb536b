package dev.rekko.node.proxy;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.redis.pubsub.PubSubKind;
import dev.rekko.redis.pubsub.SubscriberConnection;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's pub/sub: which of its sessions listen to which channel, pattern and shard channel, carried
 * by a few backend {@link SubscriberConnection}s, not one per client. A name is subscribed on the
 * backend while at least one local session holds it.
 *
 * <p>Where names live, the same on every node that has the same topology: global channels and patterns
 * on the <em>global server</em>, the master of the lowest group id that has one; a shard channel on its
 * slot's master. One connection per server carries whatever of these lives there. Every topology the node follows
 * is checked ({@link #follow}): a new global server gets the whole set subscribed on a new connection,
 * and a shard channel whose slot's master changed (migration, failover) is moved to the new one. Messages
 * published during such a switch may be lost, as with any Redis pub/sub outage.
 *
 * <p>Changes are made under this object's lock, so the commands reach each connection in the order the
 * decisions were made; messages are delivered from the connections' threads without it.
 */
final class PubSubHub implements SubscriberConnection.Listener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PubSubHub.class);

  private final BackendOptions options;
  private final Map<PubSubKind, ConcurrentHashMap<String, Set<SessionPubSub>>> local =
      new EnumMap<>(PubSubKind.class);
  private volatile BackendAddress globalServer;
  // Guarded by this.
  private RoutingTable table;
  /** One subscriber connection per server holding names of this node, whatever their kinds. */
  private final Map<BackendAddress, SubscriberConnection> connections = new HashMap<>();
  /** Where each shard channel with local subscribers is subscribed; absent while its slot has no master. */
  private final Map<String, BackendAddress> shardHome = new HashMap<>();
  private boolean closed;

  PubSubHub(BackendOptions options) {
    this.options = options;
    for (PubSubKind k : PubSubKind.values()) {
      local.put(k, new ConcurrentHashMap<>());
    }
  }

  /** Where PUBLISH and the channel and pattern counts go; null before a topology with a master. */
  BackendAddress globalServer() {
    return globalServer;
  }

  /** Local sessions holding {@code name}. */
  int localCount(PubSubKind kind, String name) {
    Set<SessionPubSub> s = local.get(kind).get(name);
    return s == null ? 0 : s.size();
  }

  /** Backend subscriber connections open now (for tests and stats). */
  synchronized List<SubscriberConnection> connections() {
    return new ArrayList<>(connections.values());
  }

  /**
   * {@code who} subscribes {@code names} (a shard channel's all in one slot); {@code done} runs once the
   * backend confirmed them, so a message published after the client's confirmation reaches it. They are
   * always sent, even when held already, for that guarantee: Redis subscribes a name once however often.
   */
  synchronized void subscribe(PubSubKind kind, SessionPubSub who, Collection<String> names, Runnable done) {
    Map<String, Set<SessionPubSub>> m = local.get(kind);
    for (String n : names) {
      m.computeIfAbsent(n, k -> ConcurrentHashMap.newKeySet()).add(who);
    }
    BackendAddress server = closed ? null : homeFor(kind, names);
    if (server == null) {
      done.run();
    } else {
      connection(server).subscribe(kind, names, done);
    }
  }

  /** {@code who} gives up {@code names}; those no local session holds any more are unsubscribed. */
  synchronized void unsubscribe(PubSubKind kind, SessionPubSub who, Collection<String> names) {
    Map<String, Set<SessionPubSub>> m = local.get(kind);
    Map<BackendAddress, List<String>> gone = new HashMap<>();
    for (String n : names) {
      Set<SessionPubSub> s = m.get(n);
      if (s != null && s.remove(who) && s.isEmpty()) {
        m.remove(n);
        BackendAddress home = kind == PubSubKind.SHARD ? shardHome.remove(n) : globalServer;
        if (home != null) {
          gone.computeIfAbsent(home, k -> new ArrayList<>()).add(n);
        }
      }
    }
    gone.forEach((server, list) -> {
      SubscriberConnection c = connections.get(server);
      if (c != null) {
        c.unsubscribe(kind, list);
      }
    });
  }

  /** The server {@code names} go to; null while they have none (they are subscribed once one appears). */
  private BackendAddress homeFor(PubSubKind kind, Collection<String> names) {
    if (kind != PubSubKind.SHARD) {
      return globalServer;
    }
    String first = names.iterator().next();
    BackendAddress server = shardHome.get(first);
    if (server == null) {
      server = masterOf(first);
      if (server == null) {
        return null;
      }
    }
    for (String n : names) {
      shardHome.put(n, server);
    }
    return server;
  }

  private SubscriberConnection connection(BackendAddress server) {
    return connections.computeIfAbsent(server, s -> new SubscriberConnection(s, options, this));
  }

  private BackendAddress masterOf(String shardChannel) {
    if (table == null) {
      return null;
    }
    return table.route(SlotHash.slot(shardChannel.getBytes(StandardCharsets.ISO_8859_1))).master();
  }

  /** A new routing table: global names and shard channels go where it says; called after each swap. */
  synchronized void follow(RoutingTable next) {
    if (closed) {
      return;
    }
    table = next;
    BackendAddress g = globalOf(next);
    if (!Objects.equals(g, globalServer)) {
      moveGlobal(globalServer, g);
      globalServer = g;
    }
    moveShardChannels();
    // Connections to servers that are no longer masters and hold nothing go.
    Set<BackendAddress> masters = new HashSet<>(next.masters());
    connections.values().removeIf(c -> {
      boolean drop = c.idle() && !masters.contains(c.server()) && !c.server().equals(globalServer);
      if (drop) {
        c.close();
      }
      return drop;
    });
  }

  private void moveGlobal(BackendAddress from, BackendAddress to) {
    log.info("pub/sub: global channels and patterns now on {} (were on {})", to, from);
    for (PubSubKind kind : List.of(PubSubKind.CHANNEL, PubSubKind.PATTERN)) {
      List<String> names = new ArrayList<>(local.get(kind).keySet());
      if (names.isEmpty()) {
        continue;
      }
      SubscriberConnection old = from == null ? null : connections.get(from);
      if (old != null) {
        old.unsubscribe(kind, names);
      }
      if (to != null) {
        connection(to).subscribe(kind, names, null);
      }
    }
  }

  private void moveShardChannels() {
    Map<BackendAddress, List<String>> leave = new HashMap<>();
    Map<BackendAddress, List<String>> arrive = new HashMap<>();
    for (String ch : local.get(PubSubKind.SHARD).keySet()) {
      BackendAddress m = masterOf(ch);
      BackendAddress home = shardHome.get(ch);
      if (m != null && !m.equals(home)) {
        if (home != null) {
          leave.computeIfAbsent(home, k -> new ArrayList<>()).add(ch);
        }
        arrive.computeIfAbsent(m, k -> new ArrayList<>()).add(ch);
        shardHome.put(ch, m);
      }
    }
    leave.forEach((server, list) -> {
      SubscriberConnection c = connections.get(server);
      if (c != null) {
        c.unsubscribe(PubSubKind.SHARD, list);
      }
    });
    arrive.forEach((server, list) -> connection(server).subscribe(PubSubKind.SHARD, list, null));
    if (!arrive.isEmpty()) {
      log.info("pub/sub: {} shard channel(s) moved to their slots' new masters {}",
          arrive.values().stream().mapToInt(List::size).sum(), arrive.keySet());
    }
  }

  /** The master of the lowest group id that has one: every node with this topology picks the same. */
  static BackendAddress globalOf(RoutingTable t) {
    Topology topology = t.topology();
    if (topology == null) {
      return t.masters().isEmpty() ? null : t.masters().get(0);
    }
    return topology.groups().keySet().stream().sorted()
        .map(id -> topology.masterOfGroup(id).map(ServerInfo::address).orElse(null))
        .filter(Objects::nonNull).findFirst().orElse(null);
  }

  /** A message from a subscriber connection: to every local session holding its name. */
  @Override
  public void onMessage(PubSubKind kind, String name, byte[] frame) {
    Set<SessionPubSub> subscribers = local.get(kind).get(name);
    if (subscribers == null) {
      return;
    }
    SessionPubSub.Delivery d = new SessionPubSub.Delivery(kind, name, frame);
    for (SessionPubSub s : subscribers) {
      s.deliver(d);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    connections.values().forEach(SubscriberConnection::close);
    connections.clear();
  }
}
