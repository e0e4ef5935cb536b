package dev.rekko.node.cluster;

import dev.rekko.node.config.ClusterSettings;
import dev.rekko.topology.NodeInfo;
import dev.rekko.topology.TopologyKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Makes this node a cluster member by {@link FormationPlan}: it reads which nodes the topology stored in
 * its data folder names (a local read, answered once the durable store is loaded) and joins by the plan;
 * or, with {@code rekko.cluster.bootstrap = management}, leaves joining to Cluster Bootstrap
 * ({@link ManagementBootstrap}). Until this node is Up it says why it waits, in its log every {@link #REMIND} and through {@code status}
 * (which {@code GET /api/ready} shows). Then it stops.
 */
public final class ClusterFormation {
  static final Duration REMIND = Duration.ofSeconds(10);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  public interface Command {}

  private record StoredNodes(Set<String> addresses, Throwable error) implements Command {}

  private record ReadAgain() implements Command {}

  private record Remind() implements Command {}

  private record IsUp(SelfUp up) implements Command {}

  private ClusterFormation() {}

  /**
   * @param contactPoint this node's management endpoint when Cluster Bootstrap joins
   *                     ({@code rekko.cluster.bootstrap = management}); empty: the seed nodes
   * @param status       told the reason this node is not a member yet, and empty once it is Up
   */
  public static Behavior<Command> create(ClusterSettings settings, Optional<String> contactPoint,
      Consumer<Optional<String>> status) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(SelfUp.class, IsUp::new), SelfUp.class));
      State state = new State(ctx, timers, settings, status);
      if (contactPoint.isPresent()) {
        state.follow(FormationPlan.bootstrap(settings.management(), contactPoint.get()));
      } else {
        status.accept(Optional.of("reading the topology stored in the data folder before joining the cluster"));
        state.readStored();
      }
      return state.behavior();
    }));
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final ClusterSettings settings;
    private final Consumer<Optional<String>> status;
    private FormationPlan plan;

    State(ActorContext<Command> ctx, TimerScheduler<Command> timers, ClusterSettings settings,
        Consumer<Optional<String>> status) {
      this.ctx = ctx;
      this.timers = timers;
      this.settings = settings;
      this.status = status;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(StoredNodes.class, this::onStoredNodes)
          .onMessage(ReadAgain.class, m -> {
            readStored();
            return Behaviors.same();
          })
          .onMessage(Remind.class, this::onRemind)
          .onMessage(IsUp.class, this::onUp)
          .build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void readStored() {
      var replicator = DistributedData.get(ctx.getSystem()).replicator();
      Class<Replicator.GetResponse<LWWMap<String, NodeInfo>>> type = (Class) Replicator.GetResponse.class;
      ctx.ask(type, replicator, READ_TIMEOUT,
          replyTo -> new Replicator.Get<>(TopologyKeys.NODES, Replicator.readLocal(), replyTo),
          (rsp, error) -> {
            if (rsp instanceof Replicator.GetSuccess<LWWMap<String, NodeInfo>> ok) {
              return new StoredNodes(ok.get(TopologyKeys.NODES).getEntries().keySet(), null);
            }
            if (rsp instanceof Replicator.NotFound<?>) {
              return new StoredNodes(Set.of(), null);
            }
            return new StoredNodes(Set.of(), error != null ? error : new IllegalStateException(String.valueOf(rsp)));
          });
    }

    private Behavior<Command> onStoredNodes(StoredNodes m) {
      if (m.error() != null) {
        ctx.getLog().warn("cannot read the stored topology's nodes yet ({}); trying again", m.error().toString());
        timers.startSingleTimer(new ReadAgain(), Duration.ofSeconds(1));
        return Behaviors.same();
      }
      Address self = Cluster.get(ctx.getSystem()).selfMember().address();
      follow(FormationPlan.of(self, addresses(settings.seedAddresses()), addresses(m.addresses()),
          settings.formNewCluster()));
      return Behaviors.same();
    }

    void follow(FormationPlan next) {
      plan = next;
      if (!plan.joinSeedNodes().isEmpty()) {
        Cluster.get(ctx.getSystem()).manager().tell(new JoinSeedNodes(plan.joinSeedNodes()));
      }
      status.accept(Optional.of(plan.waiting()));
      ctx.getLog().info("{}: {}", Cluster.get(ctx.getSystem()).selfMember().address(), plan.waiting());
      timers.startTimerWithFixedDelay(new Remind(), REMIND);
    }

    private Behavior<Command> onRemind(Remind m) {
      ctx.getLog().warn("not a cluster member yet, {}", plan.waiting());
      return Behaviors.same();
    }

    private Behavior<Command> onUp(IsUp m) {
      ctx.getLog().info("{} is Up in the cluster", Cluster.get(ctx.getSystem()).selfMember().address());
      status.accept(Optional.empty());
      return Behaviors.stopped();
    }
  }

  private static List<Address> addresses(Iterable<String> uris) {
    List<Address> out = new ArrayList<>();
    for (String uri : uris) {
      try {
        out.add(AddressFromURIString.parse(uri));
      } catch (RuntimeException e) {
        // a node entry of some other form is nobody this node can join through
      }
    }
    return out;
  }
}
