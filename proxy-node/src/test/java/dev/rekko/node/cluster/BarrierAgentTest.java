package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rekko.redis.backend.DrainException;
import dev.rekko.slots.Barrier;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The barrier agent against a data path the test controls: a drain that cannot be proven is no answer
 * (the request drains again later), a request asked again while it waits is drained and answered once,
 * and an agent that failed starts again and answers. A group's switch is answered once the table holds
 * the group's epoch and the sessions are quiescent, draining the named server only when asked to.
 */
class BarrierAgentTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private ActorSystem<Void> system;
  private final FakeDataPath data = new FakeDataPath();
  private final BlockingQueue<Barrier.Drained> answers = new LinkedBlockingQueue<>();
  private ActorRef<Barrier.Drained> replyTo;
  private ActorRef<Barrier.Request> agent;
  private final BlockingQueue<Barrier.GroupHeld> groupAnswers = new LinkedBlockingQueue<>();
  private ActorRef<Barrier.GroupHeld> groupReplyTo;
  private ActorRef<Barrier.GroupRequest> groupAgent;

  @BeforeEach
  void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "barrier-agent-test", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.jmx.enabled = off
        pekko.loglevel = WARNING
        """).withFallback(ConfigFactory.load()));
    Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
    replyTo = system.systemActorOf(Behaviors.<Barrier.Drained>receiveMessage(m -> {
      answers.add(m);
      return Behaviors.same();
    }), "answers", Props.empty());
    groupReplyTo = system.systemActorOf(Behaviors.<Barrier.GroupHeld>receiveMessage(m -> {
      groupAnswers.add(m);
      return Behaviors.same();
    }), "group-answers", Props.empty());
    system.systemActorOf(BarrierAgent.create(data), "agent", Props.empty());
    agent = findAgent(Barrier.KEY);
    groupAgent = findAgent(Barrier.GROUP_KEY);
  }

  @AfterEach
  void stop() {
    system.terminate();
  }

  @Test
  void aDrainThatCannotBeProvenIsNoAnswer() throws Exception {
    data.drains = n -> n <= 2
        ? CompletableFuture.failedFuture(new DrainException("backend 127.0.0.1:1: cannot confirm ..."))
        : CompletableFuture.completedFuture(null);
    agent.tell(new Barrier.Request(1, 5, replyTo));
    Barrier.Drained answer = answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(answer).isNotNull();
    assertThat(answer.slot()).isEqualTo(1);
    assertThat(data.drainCalls.get()).as("answered after the first drain that succeeded, not before").isEqualTo(3);
  }

  @Test
  void aRequestAskedAgainWhileItWaitsIsDrainedAndAnsweredOnce() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    data.drains = n -> gate;
    for (int i = 0; i < 5; i++) {
      agent.tell(new Barrier.Request(1, 5, replyTo));
    }
    // Asks are handled in order: once slot 2's drain has started, every repeat of slot 1 has been seen.
    agent.tell(new Barrier.Request(2, 5, replyTo));
    await(() -> data.drainCalls.get() >= 2);
    assertThat(data.drainCalls.get()).as("one drain per request, however often asked").isEqualTo(2);
    gate.complete(null);
    assertThat(answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    assertThat(answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    assertThat(answers.poll(300, TimeUnit.MILLISECONDS)).as("no third answer").isNull();
  }

  @Test
  void anAgentThatFailedStartsAgainAndAnswers() throws Exception {
    data.failOnce.set(true);
    // Like a slot actor at its barrier: ask until answered.
    Barrier.Drained answer = null;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (answer == null && System.nanoTime() < deadline) {
      agent.tell(new Barrier.Request(3, 5, replyTo));
      answer = answers.poll(200, TimeUnit.MILLISECONDS);
    }
    assertThat(data.failOnce.get()).as("the agent failed once").isFalse();
    assertThat(answer).as("answered after its restart").isNotNull();
    assertThat(answer.slot()).isEqualTo(3);
  }

  @Test
  void aGroupSwitchIsAnsweredOnceTheTableHoldsItsEpochAndTheSessionsAreQuiescent() throws Exception {
    data.groupEpoch = 4;
    data.quiescent = false;
    groupAgent.tell(new Barrier.GroupRequest(2, 5, "127.0.0.1:7001", false, groupReplyTo));
    assertThat(groupAnswers.poll(300, TimeUnit.MILLISECONDS)).as("the table is older than the switch").isNull();
    data.groupEpoch = 5;
    assertThat(groupAnswers.poll(300, TimeUnit.MILLISECONDS)).as("a session still dispatches").isNull();
    data.quiescent = true;
    Barrier.GroupHeld held = groupAnswers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(held).isNotNull();
    assertThat(held.group()).isEqualTo(2);
    assertThat(held.epoch()).isEqualTo(5);
    assertThat(held.node()).isEqualTo(Cluster.get(system).selfMember().address().toString());
    assertThat(data.drained).as("a failover's dead master is not drained").isEmpty();
  }

  @Test
  void aSwitchoverDrainsTheOldMasterFirstAndWaitsForAProvenDrain() throws Exception {
    data.drains = n -> n <= 1
        ? CompletableFuture.failedFuture(new DrainException("backend 127.0.0.1:7001: cannot confirm ..."))
        : CompletableFuture.completedFuture(null);
    groupAgent.tell(new Barrier.GroupRequest(2, 5, "127.0.0.1:7001", true, groupReplyTo));
    Barrier.GroupHeld held = groupAnswers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(held).isNotNull();
    assertThat(data.drained).as("drained again after the drain that could not be proven")
        .containsExactly("127.0.0.1:7001", "127.0.0.1:7001");
  }

  @Test
  void aSlotBarrierDrainsTheSlotsMasterAsRoutedNow() throws Exception {
    agent.tell(new Barrier.Request(4, 5, replyTo));
    assertThat(answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    assertThat(data.drained).containsExactly("127.0.0.1:7004");
  }

  @Test
  void slotsLeavingOneSourceTogetherShareADrain() throws Exception {
    data.quiescent = false;
    for (int slot = 100; slot < 150; slot++) {
      agent.tell(new Barrier.Request(slot, 5, replyTo));
    }
    // Asks are handled in order: once slot 1's drain has started, the fifty are waiting too.
    agent.tell(new Barrier.Request(1, 5, replyTo));
    assertThat(answers.poll(300, TimeUnit.MILLISECONDS)).as("sessions still dispatch").isNull();
    data.quiescent = true;
    for (int i = 0; i < 51; i++) {
      assertThat(answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("answer %s", i).isNotNull();
    }
    assertThat(data.drained).as("one drain per server for the waits ready at one tick")
        .containsExactlyInAnyOrder("127.0.0.1:7100", "127.0.0.1:7001");
  }

  @Test
  void aWaitReadyDuringItsServersDrainTakesTheNextOne() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    data.drains = n -> n == 1 ? gate : CompletableFuture.completedFuture(null);
    agent.tell(new Barrier.Request(100, 5, replyTo));
    await(() -> data.drainCalls.get() == 1);
    // Quiescent after the drain began: that drain proves nothing for it.
    agent.tell(new Barrier.Request(101, 5, replyTo));
    assertThat(answers.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(data.drainCalls.get()).as("no second drain of a server while one runs").isEqualTo(1);
    gate.complete(null);
    assertThat(answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS).slot()).isEqualTo(100);
    assertThat(answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS).slot()).isEqualTo(101);
    assertThat(data.drained).containsExactly("127.0.0.1:7100", "127.0.0.1:7100");
  }

  private <T> ActorRef<T> findAgent(org.apache.pekko.actor.typed.receptionist.ServiceKey<T> key) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
          r -> Receptionist.find(key, r), WAIT, system.scheduler()).toCompletableFuture()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      Set<ActorRef<T>> agents = listing.getServiceInstances(key);
      if (!agents.isEmpty()) {
        return agents.iterator().next();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the agent never registered");
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /**
   * Every slot is at epoch 10 and slot s's master is 127.0.0.1:700s (127.0.0.1:7100 for every slot from
   * 100 on); groups are at {@code groupEpoch};
   * sessions are as quiescent as the test says; drains answer as the test says.
   */
  private static final class FakeDataPath implements BarrierAgent.DataPath {
    final AtomicInteger drainCalls = new AtomicInteger();
    final java.util.List<String> drained = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile long groupEpoch = 10;
    volatile boolean quiescent = true;
    final AtomicBoolean failOnce = new AtomicBoolean();
    volatile IntFunction<CompletionStage<Void>> drains = n -> CompletableFuture.completedFuture(null);

    @Override
    public long slotEpoch(int slot) {
      if (failOnce.compareAndSet(true, false)) {
        throw new IllegalStateException("a failure the agent must survive");
      }
      return 10;
    }

    @Override
    public long generation() {
      return 1;
    }

    @Override
    public long groupEpoch(int group) {
      return groupEpoch;
    }

    @Override
    public boolean quiescent(long generation) {
      return quiescent;
    }

    @Override
    public java.util.Optional<String> slotMaster(int slot) {
      return java.util.Optional.of(slot >= 100 ? "127.0.0.1:7100" : "127.0.0.1:700" + slot);
    }

    @Override
    public CompletionStage<Void> drain(String server) {
      drained.add(server);
      return drains.apply(drainCalls.incrementAndGet());
    }
  }
}
