package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.slots.Barrier;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * A group's master switched under the clients' feet, with the steps written to the topology by the test
 * (the coordinator's job): while the group is published switching, a client's SET and GET wait and reach
 * neither server, and the node's barrier agent confirms the hold with the old master drained; once the
 * group is published with its replica as master, they run there.
 */
class SwitchingDataPathTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(1).replicas(1).perClass();
  private static final ByHand hand = new ByHand(fx);

  @Test
  void commandsHeldWhileTheMasterIsSwitchedRunOnTheNewMaster() throws Exception {
    RedisServer oldMaster = fx.server(1, 0);
    RedisServer newMaster = fx.server(1, 1);
    String key = "switch-key";
    int slot = SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
    try (Jedis client = fx.jedis(); Jedis before = fx.direct(oldMaster); Jedis after = fx.direct(newMaster)) {
      client.set(key, "before");
      hand.await("the replica has the key", () -> "before".equals(after.get(key)));

      fx.awaitVersionsLearned();
      GroupInfo group = fx.node().topology().group(1).orElseThrow();
      long epoch = fx.node().topology().epoch();
      hand.put(group.withSwitching(true, epoch + 1));
      hand.await("route held", () -> hand.route(slot).switching());
      assertThat(fx.node().context().router().loaded().groupEpoch(1)).isEqualTo(epoch + 1);

      CompletableFuture<String> held = TestThreads.supply(() -> {
        try (Jedis other = fx.jedis()) {
          other.set(key, "after");
          return other.get(key);
        }
      });
      hand.await("the SET is held", () -> fx.node().context().sessions.stream().anyMatch(Session::hasDeferred));
      assertThat(held).isNotDone();
      assertThat(before.get(key)).as("nothing reached the old master").isEqualTo("before");
      Barrier.GroupHeld answer = hand.groupBarrier(new Barrier.GroupRequest(1, epoch + 1, oldMaster.address(), true,
          null));
      assertThat(answer.group()).isEqualTo(1);
      assertThat(answer.epoch()).isEqualTo(epoch + 1);
      assertThat(held).isNotDone();

      // The coordinator's part: promote the replica, then publish it as the master, released.
      after.replicaofNoOne();
      hand.put(new GroupInfo(1, List.of(ServerInfo.master(newMaster.address()), ServerInfo.replica(oldMaster.address())),
          false, epoch + 2));
      assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("after");
      assertThat(after.get(key)).isEqualTo("after");
      assertThat(client.get(key)).isEqualTo("after");
      assertThat(hand.route(slot).master()).hasToString(newMaster.address());
    }
  }
}
