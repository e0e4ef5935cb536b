package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Servers that join the topology after clients set something on every server get it too: a new group
 * (master and replica) gets the remembered CONFIG SET values and scripts, its master the functions of
 * an existing master; a replica added to an existing group gets the values and scripts.
 */
class ServerSettingsReplayTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SCRIPT = "return 'replayed'";
  private static final String LIBRARY = "#!lua name=replaylib\n"
      + "redis.register_function('replay_fn', function(keys, args) return 'fn' end)";
  // The new group must stay without slots: the coordinator's movers must not start filling it.
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).migrationsPaused().perClass();

  @Test
  void serversThatJoinLaterGetTheRememberedSettingsScriptsAndFunctions() throws Exception {
    RespSocket node = fx.socket();
    assertThat(node.call("CONFIG", "SET", "list-max-listpack-size", "5", "zset-max-ziplist-entries", "7"))
        .isEqualTo("OK");
    assertThat(node.call("CONFIG", "SET", "list-max-ziplist-size", "6")).isEqualTo("OK");
    String sha = (String) node.call("SCRIPT", "LOAD", SCRIPT);
    assertThat(node.call("FUNCTION", "LOAD", LIBRARY)).isEqualTo("replaylib");

    RedisServer master = fx.track(RedisServer.builder().start());
    RedisServer replica = fx.track(RedisServer.builder().replicaOf(master).start());
    RedisServer extra = fx.track(RedisServer.builder().replicaOf(fx.master(1)).start());
    putGroups(master, replica, extra);

    for (RedisServer s : List.of(master, replica, extra)) {
      RespSocket direct = fx.socket(s);
      awaitReply(direct, List.of("list-max-listpack-size", "6"), "CONFIG", "GET", "list-max-listpack-size");
      awaitReply(direct, List.of("zset-max-listpack-entries", "7"), "CONFIG", "GET", "zset-max-listpack-entries");
      awaitReply(direct, List.of(1L), "SCRIPT", "EXISTS", sha);
      awaitReply(direct, List.of("replaylib"), "FUNCTION", "LIST");
    }
    assertThat(fx.socket(master).call("EVALSHA", sha, "0")).isEqualTo("replayed");
    assertThat(fx.socket(master).call("FCALL", "replay_fn", "0")).isEqualTo("fn");
    // The new group is part of what the node's commands reach from now on.
    assertThat(node.call("SCRIPT", "FLUSH")).isEqualTo("OK");
    assertThat(fx.socket(replica).call("SCRIPT", "EXISTS", sha)).isEqualTo(List.of(0L));
    assertThat(node.call("FUNCTION", "FLUSH")).isEqualTo("OK");
    awaitReply(fx.socket(replica), List.of(), "FUNCTION", "LIST");
  }

  /**
   * Adds group 3 and a replica of group 1 at the next epoch. The node's view may lag a group write made
   * meanwhile (the epoch is then stale): read it again and retry.
   */
  private static void putGroups(RedisServer master, RedisServer replica, RedisServer extra) throws Exception {
    for (int attempt = 1; ; attempt++) {
      long epoch = fx.node().topology().epoch();
      GroupInfo one = fx.node().topology().group(1).orElseThrow();
      List<ServerInfo> withExtra = new ArrayList<>(one.servers());
      withExtra.add(ServerInfo.replica(extra.address()));
      try {
        fx.node().cluster().writer().putGroups(List.of(
            new GroupInfo(3, List.of(ServerInfo.master(master.address()), ServerInfo.replica(replica.address())),
                false, epoch + 1),
            one.withServers(withExtra, epoch + 1))).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof dev.rekko.topology.StaleEpochException) || attempt == 20) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /** Polls until {@code cmd}'s reply (FUNCTION LIST: the library names) is {@code expected}. */
  private static void awaitReply(RespSocket s, Object expected, String... cmd) throws Exception {
    Object[] last = new Object[1];
    boolean ok = ProxyFixture.await(WAIT, () -> {
      try {
        Object reply = s.call(cmd);
        if (cmd[0].equals("FUNCTION") && reply instanceof List<?> libs) {
          reply = libs.stream().map(l -> ((List<?>) l).get(1)).toList();
        }
        last[0] = reply;
        return expected.equals(reply);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat(ok).as("%s answered %s, expected %s", String.join(" ", cmd), last[0], expected).isTrue();
  }
}
