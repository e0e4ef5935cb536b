package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The master that serves global channels (the lowest group's) and a shard channel's slot changes under
 * a subscriber, as a failover or switchover publishes it: the node subscribes everything on the new
 * master, lets go of the old one, and the client, still subscribed, receives what is published next.
 */
class PubSubTopologyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void subscriptionsFollowANewMaster() throws Exception {
    try (ProxyFixture fx = ProxyFixture.builder().groups(1).replicas(1).start()) {
      RedisServer oldMaster = fx.server(1, 0);
      RedisServer newMaster = fx.server(1, 1);
      RespSocket sub = fx.socket();
      assertThat(sub.call("SUBSCRIBE", "t:global")).isEqualTo(List.of("subscribe", "t:global", 1L));
      assertThat(sub.call("PSUBSCRIBE", "t:g*")).isEqualTo(List.of("psubscribe", "t:g*", 2L));
      assertThat(sub.call("SSUBSCRIBE", "t:shard")).isEqualTo(List.of("ssubscribe", "t:shard", 1L));
      assertThat(PubSubNodesTestSupport.hubConnections(fx, oldMaster)).singleElement().asString()
          .contains(" sub=1 ").contains(" psub=1 ").contains(" ssub=1 ");

      // What a switchover publishes: the replica promoted, then the group with it as master.
      try (Jedis promoted = fx.direct(newMaster)) {
        promoted.replicaofNoOne();
      }
      GroupInfo group = fx.node().topology().group(1).orElseThrow();
      fx.node().cluster().writer().putGroup(new GroupInfo(1, List.of(ServerInfo.master(newMaster.address()),
          ServerInfo.replica(oldMaster.address())), false, fx.node().topology().epoch() + 1))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(group.master().orElseThrow().address()).hasToString(oldMaster.address());

      PubSubHub hub = fx.node().context().pubsub;
      await("the global server moved", () -> BackendAddress.parse(newMaster.address()).equals(hub.globalServer()));
      await("everything subscribed on the new master", () -> PubSubNodesTestSupport.hubConnections(fx, newMaster)
          .stream().anyMatch(l -> l.contains(" sub=1 ") && l.contains(" psub=1 ") && l.contains(" ssub=1 ")));
      await("nothing left on the old master", () -> PubSubNodesTestSupport.hubConnections(fx, oldMaster).isEmpty());

      RespSocket pub = fx.socket();
      assertThat(pub.call("PUBLISH", "t:global", "after")).isEqualTo(2L);
      assertThat(sub.read()).isEqualTo(List.of("message", "t:global", "after"));
      assertThat(sub.read()).isEqualTo(List.of("pmessage", "t:g*", "t:global", "after"));
      assertThat(pub.call("SPUBLISH", "t:shard", "moved")).isEqualTo(1L);
      assertThat(sub.read()).isEqualTo(List.of("smessage", "t:shard", "moved"));
      assertThat(sub.call("PING")).isEqualTo(List.of("pong", ""));
    }
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    if (!ProxyFixture.await(WAIT, condition)) {
      throw new AssertionError("timed out waiting until " + what);
    }
  }
}
