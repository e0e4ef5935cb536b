package dev.rekko.coordinator.ha;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.coordinator.Coordinator.HealthReport;
import dev.rekko.coordinator.Coordinator.Promote;
import dev.rekko.coordinator.Coordinator.Result;
import dev.rekko.coordinator.CoordinatorSettings;
import dev.rekko.slots.Barrier;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The coordinator's HA: a child of the coordinator, spawned when it is ready. It combines the nodes'
 * {@link HealthReport}s ({@link DownDetector}), answers {@link Coordinator.GetHealth}, and every
 * {@code check-interval} decides ({@link HaDecisions}) whether a group's master must be replaced (down for
 * the quorum, or restarted empty) and whether a group was left held by a coordinator that stopped
 * mid-switch; every {@code repair-interval}, and when a server comes back, it repairs replicas that do not
 * follow their group's master. Each change of master runs as a {@link SwitchProcedure} child, at most
 * one per group; its topology writes go through the coordinator ({@link Coordinator.WriteGroup}), which
 * stays the only writer. {@link Promote} comes here after the coordinator's own checks.
 */
public final class HaActor {
  /** What the coordinator sends; also its children's reports. */
  public interface Command {}

  /** The topology, on every change. */
  public record TopologyChanged(Topology topology) implements Command, NoSerializationVerificationNeeded {}

  public record Report(HealthReport report) implements Command, NoSerializationVerificationNeeded {}

  public record Query(ActorRef<Result> replyTo) implements Command, NoSerializationVerificationNeeded {}

  /** An operator's promote that passed {@code AdminRules}. */
  public record Switchover(Promote request) implements Command, NoSerializationVerificationNeeded {}

  /** A procedure ended; it has answered its operator already. */
  record Ended(int group, String kind, boolean ok, Result answer, RedisSwitch.Outcome outcome,
      RedisSwitch.Abort abort, Duration took) implements Command, NoSerializationVerificationNeeded {}

  record Repaired(RoleChecks.Repair repair, Throwable error) implements Command, NoSerializationVerificationNeeded {}

  record Released(int group, Result result) implements Command, NoSerializationVerificationNeeded {}

  private record Tick() implements Command, NoSerializationVerificationNeeded {}

  private record RepairTick() implements Command, NoSerializationVerificationNeeded {}

  private record AgentsListed(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

  private final ActorContext<Command> ctx;
  private final CoordinatorSettings settings;
  private final HaSettings ha;
  private final ActorRef<Coordinator.Command> coordinator;
  private final Executor blocking;
  private final RedisSwitch redis;
  private final HaDecisions decisions;
  private final Map<Integer, ActorRef<SwitchProcedure.Command>> running = new HashMap<>();
  private final Set<Integer> releasing = new HashSet<>();
  private Set<ActorRef<Barrier.GroupRequest>> agents = Set.of();
  private Topology topology;

  /**
   * @param coordinator the parent, through which every write goes
   * @param blocking    the coordinator's Redis dispatcher
   */
  public static Behavior<Command> create(CoordinatorSettings settings, ActorRef<Coordinator.Command> coordinator,
      Executor blocking, Topology topology) {
    return Behaviors.<Command>supervise(Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new HaActor(ctx, timers, settings, coordinator, blocking, topology).behavior())))
        .onFailure(SupervisorStrategy.restart());
  }

  private HaActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, CoordinatorSettings settings,
      ActorRef<Coordinator.Command> coordinator, Executor blocking, Topology topology) {
    this.ctx = ctx;
    this.settings = settings;
    this.ha = settings.ha();
    this.coordinator = coordinator;
    this.blocking = blocking;
    this.topology = topology;
    this.redis = new RedisSwitch(settings);
    this.decisions = new HaDecisions(ha, ctx::getLog);
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(Barrier.GROUP_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, AgentsListed::new)));
    timers.startTimerWithFixedDelay(Tick.class, new Tick(), ha.checkInterval());
    timers.startTimerWithFixedDelay(RepairTick.class, new RepairTick(), ha.repairInterval());
    ctx.getLog().info("HA {}: quorum {}, down-after {}, failover-timeout {}",
        ha.enabled() ? "on" : "off (health is shown, nothing is switched automatically)",
        ha.quorum() == 0 ? "majority" : ha.quorum(), ha.downAfter(), ha.failoverTimeout());
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(TopologyChanged.class, this::onTopology)
        .onMessage(Report.class, m -> {
          decisions.detector().report(m.report().node(), m.report().servers(), System.nanoTime());
          return Behaviors.same();
        })
        .onMessage(Query.class, m -> {
          m.replyTo().tell(decisions.view(topology, upMembers(), System.nanoTime()));
          return Behaviors.same();
        })
        .onMessage(Switchover.class, this::onSwitchover)
        .onMessage(Tick.class, m -> onTick())
        .onMessage(RepairTick.class, m -> repair(decisions.repairs(topology, running.keySet(), System.nanoTime())))
        .onMessage(AgentsListed.class, m -> {
          agents = m.listing().getServiceInstances(Barrier.GROUP_KEY);
          return Behaviors.same();
        })
        .onMessage(Ended.class, this::onEnded)
        .onMessage(Repaired.class, m -> {
          decisions.repaired(m.repair(), m.error());
          return Behaviors.same();
        })
        .onMessage(Released.class, m -> {
          releasing.remove(m.group());
          ctx.getLog().info("group {}: hold lifted ({})", m.group(), m.result());
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onTopology(TopologyChanged m) {
    topology = m.topology();
    running.forEach((id, p) -> topology.group(id).ifPresent(g -> p.tell(new SwitchProcedure.Latest(g))));
    return Behaviors.same();
  }

  private Behavior<Command> onTick() {
    long now = System.nanoTime();
    Set<String> members = upMembers();
    Set<Integer> busy = new HashSet<>(running.keySet());
    busy.addAll(releasing);
    for (HaDecisions.Decision d : decisions.decide(topology, members, busy, now)) {
      if (d.releaseOnly()) {
        releasing.add(d.group().id());
        ctx.ask(Result.class, coordinator, writeTimeout(), r -> new Coordinator.WriteGroup(
            d.group().withSwitching(false, d.group().epoch()), d.group().epoch(), "lift a stale hold", r),
            (res, e) -> new Released(d.group().id(), res != null ? res : new Failed(503, String.valueOf(e))));
      } else {
        failover(d.group(), d.candidates(), d.reason(), d.needKeys(), ctx.getSystem().ignoreRef());
      }
    }
    return repair(decisions.returned(topology, running.keySet(), now));
  }

  private Behavior<Command> onSwitchover(Switchover m) {
    Promote p = m.request();
    GroupInfo g = topology.group(p.group()).orElse(null);
    if (g == null || running.containsKey(p.group()) || releasing.contains(p.group()) || g.switching()) {
      p.replyTo().tell(new Failed(409, "a failover or switchover of group " + p.group() + " is under way; "
          + "retry when it is done (GET /api/groups/" + p.group() + ")"));
      return Behaviors.same();
    }
    String master = g.master().map(ServerInfo::addr).orElse("");
    long now = System.nanoTime();
    if (master.isEmpty() || decisions.masterDown(g, upMembers(), now)) {
      String why = master.isEmpty() ? "the group had no master"
          : "the master " + master + " is down for the quorum (" + decisions.downNodes(master, now) + ")";
      ctx.getLog().info("group {}: promote {} requested while {}: failing over to it", g.id(), p.addr(), why);
      failover(g, List.of(p.addr()), "requested by an operator; " + why, false, p.replyTo());
      return Behaviors.same();
    }
    List<String> others = followers(g, p.addr(), master);
    ctx.getLog().info("group {}: switchover from {} to {} requested by an operator", g.id(), master, p.addr());
    start(new SwitchProcedure.Plan(g, "switchover", "requested by an operator", master, true, ha.failoverTimeout(),
        agentsOfUpMembers(), () -> redis.switchover(master, p.addr(), others), p.replyTo()));
    return Behaviors.same();
  }

  private void failover(GroupInfo g, List<String> candidates, String reason, boolean needKeys,
      ActorRef<Result> replyTo) {
    String master = g.master().map(ServerInfo::addr).orElse("");
    // A master that is down is not asked (it is repaired when it returns); one that is up (restarted
    // empty) must not stay a master.
    Set<String> members = upMembers();
    long now = System.nanoTime();
    boolean masterUp = !master.isEmpty() && !decisions.masterDown(g, members, now);
    List<String> followers = new ArrayList<>();
    for (ServerInfo s : g.servers()) {
      boolean down = decisions.detector().objectivelyDown(s.addr(), now, ha.quorumOf(members.size()), ha.downAfter());
      if (!s.isMaster() && !down || s.isMaster() && masterUp) {
        followers.add(s.addr());
      }
    }
    ctx.getLog().atInfo().addKeyValue("group", g.id()).log("group {}: failover of {} ({}); candidates {}", g.id(),
        master.isEmpty() ? "(none)" : master, reason, candidates);
    // The master is dead: the hold only turns errors into a pause, so the agents get a second at most.
    start(new SwitchProcedure.Plan(g, "failover", reason, master, false, Duration.ofSeconds(1), agentsOfUpMembers(),
        () -> redis.failover(candidates, followers, needKeys), replyTo));
  }

  private void start(SwitchProcedure.Plan plan) {
    ActorRef<SwitchProcedure.Command> p = ctx.spawnAnonymous(SwitchProcedure.create(plan, coordinator,
        ctx.getSelf(), blocking, writeTimeout()));
    running.put(plan.group().id(), p);
  }

  private Behavior<Command> onEnded(Ended m) {
    running.remove(m.group());
    decisions.ended(m, System.nanoTime());
    return Behaviors.same();
  }

  private Behavior<Command> repair(List<RoleChecks.Repair> repairs) {
    for (RoleChecks.Repair r : repairs) {
      ctx.getLog().info("group {}: repair: {}; making it follow {}", r.group(), r.reason(), r.master());
      ctx.pipeToSelf(java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          redis.repair(r.addr(), r.master());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, blocking), (d, e) -> new Repaired(r, e));
    }
    return Behaviors.same();
  }

  /** The group's servers other than the new master: the old master too, which is up for a switchover. */
  private static List<String> followers(GroupInfo g, String chosen, String master) {
    List<String> others = new ArrayList<>();
    g.servers().stream().map(ServerInfo::addr).filter(a -> !a.equals(chosen) && !a.equals(master)).forEach(others::add);
    return others;
  }

  /**
   * The agents of Up members, by member address. Members without a registered agent are not waited for
   * (unlike a slot's barrier): a cluster without agents (a coordinator-only test, a node that runs no
   * data path) still fails over, and a node whose agent is missing holds nothing that could run late.
   */
  private Map<String, ActorRef<Barrier.GroupRequest>> agentsOfUpMembers() {
    String self = Cluster.get(ctx.getSystem()).selfMember().address().toString();
    Set<String> members = upMembers();
    Map<String, ActorRef<Barrier.GroupRequest>> byNode = new HashMap<>();
    for (ActorRef<Barrier.GroupRequest> a : agents) {
      String node = a.path().address().hasLocalScope() ? self : a.path().address().toString();
      if (members.contains(node)) {
        byNode.put(node, a);
      }
    }
    return byNode;
  }

  private Set<String> upMembers() {
    Set<String> up = new HashSet<>();
    for (Member m : Cluster.get(ctx.getSystem()).state().getMembers()) {
      if (m.status() == MemberStatus.up()) {
        up.add(m.address().toString());
      }
    }
    decisions.detector().members(up);
    return up;
  }

  private Duration writeTimeout() {
    return settings.slotAskTimeout().plus(settings.viewTimeout().multipliedBy(2));
  }
}
