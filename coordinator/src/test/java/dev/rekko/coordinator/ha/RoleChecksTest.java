package dev.rekko.coordinator.ha;

import static dev.rekko.coordinator.ha.DownDetectorTest.up;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.health.ServerHealth;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoleChecksTest {
  private static final String M = "10.0.0.1:1";
  private static final String R1 = "10.0.0.2:1";
  private static final String R2 = "10.0.0.3:1";
  private static final String R3 = "10.0.0.4:1";
  private static final GroupInfo GROUP = new GroupInfo(3, List.of(ServerInfo.master(M), ServerInfo.replica(R1),
      ServerInfo.replica(R2), ServerInfo.replica(R3)), false, 9);

  @Test
  void replicasThatAreMastersOrFollowSomeoneElseAreRepaired() {
    Map<String, ServerHealth> reports = Map.of(
        M, up(M, "master", "", 10, "m", 1),
        R1, up(R1, "master", "", 0, "r1", 0),            // an old master that came back
        R2, up(R2, "replica", "10.0.0.9:1", 5, "r2", 1), // follows a stranger
        R3, up(R3, "replica", M, 10, "r3", 1));          // fine
    List<RoleChecks.Repair> repairs = RoleChecks.repairs(GROUP, a -> Optional.ofNullable(reports.get(a)));
    assertThat(repairs).extracting(RoleChecks.Repair::addr).containsExactly(R1, R2);
    assertThat(repairs).allMatch(r -> r.master().equals(M) && r.group() == 3);
    assertThat(repairs.get(0).reason()).contains("says it is a master");
    assertThat(repairs.get(1).reason()).contains("follows 10.0.0.9:1, not the group's master " + M);
  }

  @Test
  void nothingIsRepairedWhileTheMasterDoesNotReportAsMaster() {
    Map<String, ServerHealth> reports = Map.of(R1, up(R1, "master", "", 0, "r1", 0));
    assertThat(RoleChecks.repairs(GROUP, a -> Optional.ofNullable(reports.get(a)))).isEmpty();
    Map<String, ServerHealth> masterIsReplica = Map.of(M, up(M, "replica", R1, 0, "m", 0),
        R1, up(R1, "master", "", 0, "r1", 0));
    assertThat(RoleChecks.repairs(GROUP, a -> Optional.ofNullable(masterIsReplica.get(a)))).isEmpty();
  }

  @Test
  void aMasterThatRedisAlreadyReplacedIsAdopted() {
    Map<String, ServerHealth> cutShort = Map.of(M, up(M, "replica", R1, 10, "m", 1),
        R1, up(R1, "master", "", 10, "r1", 1));
    assertThat(RoleChecks.switchedInRedis(GROUP, a -> Optional.ofNullable(cutShort.get(a)))).contains(R1);
    // Not when the other one is no master, or not in the group.
    Map<String, ServerHealth> loop = Map.of(M, up(M, "replica", R1, 10, "m", 1), R1, up(R1, "replica", M, 10, "r1", 1));
    assertThat(RoleChecks.switchedInRedis(GROUP, a -> Optional.ofNullable(loop.get(a)))).isEmpty();
    Map<String, ServerHealth> stranger = Map.of(M, up(M, "replica", "10.0.0.9:1", 10, "m", 1));
    assertThat(RoleChecks.switchedInRedis(GROUP, a -> Optional.ofNullable(stranger.get(a)))).isEmpty();
    Map<String, ServerHealth> fine = Map.of(M, up(M, "master", "", 10, "m", 1));
    assertThat(RoleChecks.switchedInRedis(GROUP, a -> Optional.ofNullable(fine.get(a)))).isEmpty();
  }

  @Test
  void aMasterThatRestartedEmptyWhileAReplicaHoldsDataIsReplaced() {
    ServerHealth restarted = up(M, "master", "", 0, "new-run", 0);
    List<ServerHealth> replicas = List.of(up(R1, "replica", M, 0, "r1", 0), up(R2, "replica", M, 900, "r2", 42));
    assertThat(RoleChecks.restartedEmpty("old-run", restarted, replicas)).hasValueSatisfying(why ->
        assertThat(why).startsWith("master restarted empty").contains(R2 + " (42 keys)").doesNotContain(R1));
  }

  @Test
  void aMasterStaysWhenNothingWasLost() {
    List<ServerHealth> withData = List.of(up(R2, "replica", M, 900, "r2", 42));
    // same process
    assertThat(RoleChecks.restartedEmpty("run", up(M, "master", "", 0, "run", 0), withData)).isEmpty();
    // restarted with its data (persistence)
    assertThat(RoleChecks.restartedEmpty("old", up(M, "master", "", 0, "new", 7), withData)).isEmpty();
    // the replicas are empty too: nothing to save
    assertThat(RoleChecks.restartedEmpty("old", up(M, "master", "", 0, "new", 0),
        List.of(up(R2, "replica", M, 0, "r2", 0)))).isEmpty();
    // never seen before (a new coordinator, a new group)
    assertThat(RoleChecks.restartedEmpty(null, up(M, "master", "", 0, "new", 0), withData)).isEmpty();
  }
}
