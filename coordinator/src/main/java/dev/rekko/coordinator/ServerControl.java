package dev.rekko.coordinator;

import dev.rekko.coordinator.Coordinator.AddServer;
import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.coordinator.Coordinator.RemoveServer;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyWriter;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The coordinator's side of adding and removing servers, on the coordinator's thread: what to
 * ask of Redis, and what to write once it answered. The Redis calls ({@link ServerOps}) block, so they run
 * on the coordinator's Redis dispatcher and come back as futures for the coordinator to pipe to itself; between the
 * two the topology may have changed, which is why every step after Redis takes the latest topology again.
 */
final class ServerControl {
  /**
   * The small pool the Redis admin calls block on: Pekko's shared blocking dispatcher could be full of
   * others' long work (migration walks once filled it) and leave an operation waiting for minutes.
   */
  static final String REDIS_DISPATCHER = "rekko.coordinator.redis-dispatcher";

  private final ServerOps redis;
  private final TopologyWriter writer;
  private final Executor blocking;
  /** The coordinator's {@code ctx::getLog}: Pekko sets the actor's MDC on each call, on its thread only. */
  private final Supplier<Logger> log;

  ServerControl(CoordinatorSettings settings, TopologyWriter writer, Executor blocking, Supplier<Logger> log) {
    this.redis = new ServerOps(settings);
    this.writer = writer;
    this.blocking = blocking;
    this.log = log;
  }

  /** The group's master, empty when it has none (the server added next becomes it). */
  static String masterOf(Topology t, int group) {
    return t.masterOfGroup(group).map(ServerInfo::addr).orElse("");
  }

  /** Checks the server and makes it follow {@code master} ({@link ServerOps#prepare}). */
  CompletionStage<ServerInfo> check(AddServer m, String master) {
    String dc = m.datacenter() == null ? "" : m.datacenter();
    return CompletableFuture.supplyAsync(() -> redis.prepare(m.addr(), dc, master), blocking);
  }

  /**
   * Why the server cannot join after its check: the check failed, {@link AdminRules} refuses it now, or
   * the group has a new master meanwhile (the server would keep following the old one).
   *
   * @param checkedMaster the master it was made to follow, as {@link #masterOf} said before the check
   */
  Optional<Failed> refuseChecked(Topology t, AddServer m, String checkedMaster, Throwable error) {
    if (error != null) {
      return Optional.of(failure(error, "add server " + m.addr()));
    }
    Optional<Failed> refused = AdminRules.addServer(t, m.group(), m.addr());
    if (refused.isEmpty() && !masterOf(t, m.group()).equals(checkedMaster)) {
      return Optional.of(new Failed(409, "the master of group " + m.group() + " changed while " + m.addr()
          + " was checked; retry"));
    }
    return refused;
  }

  Writes.Write add(Topology t, AddServer m, ServerInfo server, long epoch) {
    log.get().info("group {}: adding {} as {}", m.group(), m.addr(), server.role());
    return Writes.putGroup(writer, GroupEdits.withServer(t.group(m.group()).orElseThrow(), server, epoch),
        m.replyTo(), "add server " + m.addr() + " to group " + m.group());
  }

  Writes.Write remove(Topology t, RemoveServer m, long epoch) {
    // The server itself is left alone (still replicating, or a master without a group): an operator may
    // want its data, and a REPLICAOF NO ONE on a replica could create a second writable copy.
    return Writes.putGroup(writer, GroupEdits.withoutServer(t.group(m.group()).orElseThrow(), m.addr(), epoch),
        m.replyTo(), "remove server " + m.addr() + " from group " + m.group());
  }

  private static Failed failure(Throwable error, String what) {
    Throwable e = Writes.unwrap(error);
    if (e instanceof ServerOps.Refused r) {
      return new Failed(r.status, r.getMessage());
    }
    return new Failed(503, what + " failed: " + e);
  }
}
