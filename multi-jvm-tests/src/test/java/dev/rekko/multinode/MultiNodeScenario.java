package dev.rekko.multinode;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.remote.testconductor.RoleName;
import org.apache.pekko.remote.testkit.MultiNodeSpec;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import scala.concurrent.Await;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Java base of a multi-JVM spec. Every node runs the same {@link #scenario()}; {@link #runOn} and
 * barriers decide who does what and when. Run a spec with {@link MultiJvm#run}.
 *
 * <p>A subclass needs a public no-argument constructor that passes its {@link ClusterNodeConfig}.
 */
public abstract class MultiNodeScenario extends MultiNodeSpec {

  /** A scenario step that may throw; a throw fails this node. */
  @FunctionalInterface
  public interface Step {
    void run() throws Exception;
  }

  private static final Duration CONDUCTOR_TIMEOUT = Duration.ofSeconds(10);

  protected MultiNodeScenario(ClusterNodeConfig config) {
    super(config);
  }

  /** The test itself, run on every node between the testkit's before-all and after-all. */
  public abstract void scenario() throws Exception;

  @Override
  public int initialParticipants() {
    return roles().size();
  }

  public final List<RoleName> roleList() {
    return CollectionConverters.asJava(roles());
  }

  /** The node that runs the test conductor: the first declared role, index 0. */
  public final boolean isConductor() {
    return myself().equals(roles().head());
  }

  public final void runOn(RoleName role, Step step) throws Exception {
    if (myself().equals(role)) {
      step.run();
    }
  }

  public final void runOn(List<RoleName> roles, Step step) throws Exception {
    if (roles.contains(myself())) {
      step.run();
    }
  }

  /**
   * Waits until every node still taking part in barriers has entered the same names, in order.
   * A node that has been removed from barriers must not call this any more.
   */
  public final void enterBarrier(String... names) {
    for (String name : names) {
      note("entering barrier " + name);
      enterBarrier(CollectionConverters.asScala(List.of(name)).toList());
    }
  }

  /** Polls {@code condition} every 100 ms; fails the node with {@code what} when time runs out. */
  public final void awaitCond(String what, BooleanSupplier condition, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + max.toMillis() + " ms waiting for: " + what);
      }
      Thread.sleep(100);
    }
    note("observed: " + what);
  }

  public final void awaitCond(BooleanSupplier condition, Duration max) throws InterruptedException {
    awaitCond("condition", condition, max);
  }

  /** The remoting address of a role's ActorSystem, as registered with the conductor. */
  public final Address addressOf(RoleName role) {
    return node(role).address();
  }

  /** This node's own address. */
  public final Address myAddress() {
    return Cluster.get(system()).selfAddress();
  }

  // Faults. Only the conductor may inject them (healLocally excepted); with Artery, blackhole,
  // passThrough, exitNode and shutdownNode work, while rate throttling and disconnect/abort are
  // silently ignored.

  /** Drops all traffic between {@code a} and {@code b} in both directions, as seen by {@code a}. */
  public final void blackhole(RoleName a, RoleName b) throws Exception {
    conductorOnly("blackhole");
    await(testConductor().blackhole(a, b, ThrottlerTransportAdapter.bothDirection()));
    note("blackholed " + a.name() + " <-> " + b.name());
  }

  /**
   * Heals, on this node's own transport, a {@link #blackhole} that the conductor put between this
   * node and {@code other}. Runs on the node itself rather than through the conductor: the
   * conductor looks the target role up among its connected players and never answers once that
   * player is gone, which is what happens when the cut-off node was downed and its ActorSystem
   * terminated before the heal.
   */
  public final void healLocally(Address other) throws Exception {
    Future<Object> done = testConductor().transport().managementCommand(new ThrottlerTransportAdapter.SetThrottle(
        other, ThrottlerTransportAdapter.bothDirection(), ThrottlerTransportAdapter.unthrottledThrottleMode()));
    if (!Boolean.TRUE.equals(Await.result(done,
        scala.concurrent.duration.Duration.fromNanos(CONDUCTOR_TIMEOUT.toNanos())))) {
      throw new IllegalStateException("the transport does not support throttling (test-mode off?)");
    }
    note("healed " + myself().name() + " <-> " + other);
  }

  /** Makes {@code role}'s JVM call {@code System.exit(code)}; it leaves barriers at once. */
  public final void exitNode(RoleName role, int code) throws Exception {
    conductorOnly("exitNode");
    await(testConductor().exit(role, code));
    note("told " + role.name() + " to exit with " + code);
  }

  /** Terminates {@code role}'s ActorSystem (no graceful cluster leave); it leaves barriers. */
  public final void shutdownNode(RoleName role) throws Exception {
    conductorOnly("shutdownNode");
    await(testConductor().shutdown(role));
    note("shut down " + role.name());
  }

  /**
   * Takes {@code role} out of the barrier protocol so that the others can pass barriers without
   * it. Call this before a fault that will get the node downed: a downed node can no longer enter
   * barriers, and its disconnect in the middle of a barrier would fail that barrier for everyone.
   */
  public final void removeFromBarriers(RoleName role) throws Exception {
    conductorOnly("removeFromBarriers");
    // The controller never answers Remove, so its future would only time out. Asking for the node
    // list afterwards goes through the same actor and therefore returns once the removal is done.
    testConductor().removeNode(role);
    await(testConductor().getNodes());
    note("removed " + role.name() + " from barriers");
  }

  // Cluster helpers shared by all Rekko scenarios.

  public final Cluster cluster() {
    return Cluster.get(system());
  }

  public final void joinCluster(RoleName seed) {
    cluster().join(addressOf(seed));
  }

  /** Members whose status is Up, as this node sees them. */
  public final List<Address> upMembers() {
    return StreamSupport.stream(cluster().state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .map(Member::address)
        .toList();
  }

  public final boolean isUnreachable(Address address) {
    return cluster().state().getUnreachable().stream().anyMatch(m -> m.address().equals(address));
  }

  /** A timestamped progress line in this node's log, for reading a failed run afterwards. */
  public final void note(String message) {
    System.out.println(LocalTime.now() + " [" + myself().name() + "] " + message);
  }

  private void conductorOnly(String what) {
    if (!isConductor()) {
      throw new IllegalStateException(
          what + " may only run on the conductor (role " + roles().head().name() + ")");
    }
  }

  private static void await(Future<?> future) throws Exception {
    Await.result(future, scala.concurrent.duration.Duration.fromNanos(CONDUCTOR_TIMEOUT.toNanos()));
  }
}
