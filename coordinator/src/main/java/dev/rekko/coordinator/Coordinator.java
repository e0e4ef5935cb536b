package dev.rekko.coordinator;

import dev.rekko.redis.health.ServerHealth;
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.GroupMover;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.TopologyReplica;
import dev.rekko.topology.TopologyWriter;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * The cluster-singleton coordinator: the only writer of groups and servers, and the planner of slot
 * changes. Every admin operation is one message answered with one {@link Result}; a rejected operation
 * changes nothing.
 */
public final class Coordinator {
  private Coordinator() {}

  /**
   * The coordinator's behavior; run it as the cluster singleton ({@link CoordinatorSingleton#init}).
   *
   * @param replica this node's topology replica, whose view the coordinator checks operations against
   * @param writer  this node's topology writer
   * @param slots   this node's slot entity region (assignments go through the slot actors)
   * @param movers  this node's group mover region ({@link GroupMover}, one per source group)
   */
  public static Behavior<Command> create(CoordinatorSettings settings, ActorRef<TopologyReplica.Command> replica,
      TopologyWriter writer, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
      ActorRef<ShardingEnvelope<GroupMover.Command>> movers) {
    return CoordinatorActor.create(settings, replica, writer, slots, movers);
  }

  public interface Command {}

  /** An admin operation: answered with exactly one {@link Result}. */
  public interface Operation extends Command {
    ActorRef<Result> replyTo();
  }

  public record CreateGroup(int id, ActorRef<Result> replyTo) implements Operation, CoordinatorSerializable {}

  /** Only a group that owns no slots (and is no migration's target) can be removed. */
  public record RemoveGroup(int id, ActorRef<Result> replyTo) implements Operation, CoordinatorSerializable {}

  /**
   * Adds a server after checking it: reachable, Redis 6.2 or newer, in no group yet. The first server of a
   * group becomes its master; later ones are made replicas of the master.
   */
  public record AddServer(int group, String addr, String datacenter, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  /** Removes a replica, or the master of a group that owns no slots. */
  public record RemoveServer(int group, String addr, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  /**
   * Makes that replica the group's master; the others (and the old master, when reachable) follow it. While
   * the master is up this is a lossless switchover: the group's commands are held on every node, the
   * master's writes paused until the replica has caught up, and only then are roles switched. When the
   * quorum sees the master down it is a failover to that replica. Refused while the group migrates slots.
   */
  public record Promote(int group, String addr, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  /** Gives the offline slots {@code from..to} (inclusive) to a group; no data moves. */
  public record AssignSlots(int from, int to, int group, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  public record SetReplicaRead(int group, boolean enabled, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  /** The even spread of slots over groups that a rebalance would apply; changes nothing. */
  public record PlanRebalance(ActorRef<Result> replyTo) implements Operation, CoordinatorSerializable {}

  /**
   * Migrates the slots {@code from..to} (inclusive) to {@code group} online. Each must be online at another
   * group (or already on its way there); a migration from a newer Redis to an older one is refused, since
   * the older cannot read the newer's DUMP format. The slots become {@code PENDING}; the coordinator starts
   * them a batch at a time ({@code rekko.coordinator.max-parallel-slots}).
   */
  public record MigrateSlots(int from, int to, int group, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  /** Migrates {@code count} slots of group {@code fromGroup} (its highest-numbered) to {@code group}. */
  public record MigrateCount(int count, int fromGroup, int group, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  /** Applies {@link PlanRebalance}'s plan: every move becomes a migration. */
  public record ApplyRebalance(ActorRef<Result> replyTo) implements Operation, CoordinatorSerializable {}

  /** Answers {@link MigrationsView}. */
  public record GetMigrations(ActorRef<Result> replyTo) implements Operation, CoordinatorSerializable {}

  /**
   * Pauses (no pending slot starts, the movers stop walking) or resumes migrations. Slots already past
   * their barrier stay there, served with keys moved on access. Kept by the coordinator only: a coordinator
   * that takes over after a failover starts unpaused.
   */
  public record PauseMigrations(boolean paused, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  /** Caps every mover at this many keys per second (0 = no cap), now and for later walks. */
  public record ThrottleMigrations(long maxKeysPerSecond, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  /** Cancels every pending migration (back to online at the source); started ones cannot be rolled back. */
  public record CancelPendingMigrations(ActorRef<Result> replyTo) implements Operation, CoordinatorSerializable {}

  /**
   * One node's view of the backend servers it checks ({@code rekko.ha}), sent on every change and every
   * {@code report-interval}. Not an operation: nothing answers it.
   *
   * @param node the sending member's address
   */
  public record HealthReport(String node, List<ServerHealth> servers) implements Command, CoordinatorSerializable {}

  /** The servers' health as the quorum sees it; answered with {@link HealthView}. */
  public record GetHealth(ActorRef<Result> replyTo) implements Operation, CoordinatorSerializable {}

  /**
   * Internal, from the coordinator's HA actor (failover, switchover): writes {@code next} at the
   * coordinator's next epoch (its own epoch is ignored) if the group is still at {@code expectedEpoch},
   * else {@code 409}; answered with {@link GroupChanged} once this node's replica shows it, like every write.
   *
   * @param what names the change in logs and failure messages
   */
  public record WriteGroup(GroupInfo next, long expectedEpoch, String what, ActorRef<Result> replyTo)
      implements Operation, CoordinatorSerializable {}

  /** The answer to every operation. */
  public sealed interface Result extends CoordinatorSerializable {}

  /**
   * Each server's health as the quorum sees it, by address, and the coordinator's HA counters since it
   * started ({@code failovers}, {@code failovers_failed}, {@code switchovers}, {@code role_repairs}, …).
   */
  public record HealthView(SortedMap<String, QuorumHealth> servers, SortedMap<String, Long> counters)
      implements Result {}

  /**
   * One server as the nodes see it together.
   *
   * @param up          up for the quorum: fewer than {@code quorum} nodes have seen it down for
   *                    {@code down-after}
   * @param downNodes   the nodes that see it down now
   * @param seenBy      the nodes that reported on it
   * @param role        {@code master} or {@code replica} as the server itself says (from the freshest report)
   * @param masterAddr  for a replica, whom it follows
   * @param offset      its replication offset
   * @param lagBytes    for a replica, its master's offset minus its own (0 when unknown)
   * @param linkUp      for a replica, whether its link to the master is up
   */
  public record QuorumHealth(boolean up, List<String> downNodes, List<String> seenBy, String role,
      String masterAddr, long offset, long lagBytes, boolean linkUp) implements CoordinatorSerializable {}

  /** A group after the change (create, add/remove server, promote, replica-read). */
  public record GroupChanged(GroupInfo group) implements Result {}

  public record GroupRemoved(int id) implements Result {}

  /** The slots' routes after an assignment. */
  public record SlotsChanged(List<SlotInfo> slots) implements Result {}

  /**
   * A rebalance plan: the moves (fewest possible) that make every group's slot count differ by at most
   * one, with counts before and after. Empty moves = already balanced.
   */
  public record RebalancePlan(List<Move> moves, SortedMap<Integer, Integer> before,
      SortedMap<Integer, Integer> after) implements Result {}

  public record Move(int slot, int from, int to) implements CoordinatorSerializable {}

  /**
   * Migrations now: slots by state, and the movers' progress.
   *
   * @param active        slots between their barrier and their end (preparing … finished)
   * @param pending       slots waiting to start
   * @param done          slots that finished since this coordinator started
   * @param keysMoved     keys the movers moved (since each mover started)
   * @param keysPerSecond the movers' current rate, summed
   * @param etaSeconds    a rough estimate of the time left, -1 when unknown
   * @param slots         every slot that is pending or active
   */
  public record MigrationsView(int active, int pending, int done, long keysMoved, double keysPerSecond,
      long etaSeconds, boolean paused, long maxKeysPerSecond, List<SlotInfo> slots,
      List<GroupMover.Progress> movers) implements Result {}

  /** A pause, throttle or cancel took effect. */
  public record MigrationsChanged(String message) implements Result {}

  /**
   * A refused operation, with the HTTP status that fits it: 400 invalid input, 404 no such group/server/
   * slot, 409 conflicts with the current topology, 503 not possible now (topology not loaded, a write
   * not confirmed).
   */
  public record Failed(int status, String message) implements Result {}

  /** The reply address of an operation; empty for the coordinator's internal messages. */
  static Optional<ActorRef<Result>> replyTo(Command m) {
    return m instanceof Operation o ? Optional.of(o.replyTo()) : Optional.empty();
  }
}
