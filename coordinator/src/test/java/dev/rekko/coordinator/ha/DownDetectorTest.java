package dev.rekko.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator.QuorumHealth;
import dev.rekko.redis.health.ServerHealth;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DownDetectorTest {
  private static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final Duration DOWN_AFTER = Duration.ofSeconds(3);
  private static final String M = "10.0.0.1:6379";
  private static final String R = "10.0.0.2:6379";
  private static final long T0 = 1_000_000_000_000L;

  private final DownDetector detector = new DownDetector(INTERVAL);

  @Test
  void aMasterIsDownOnceEnoughNodesHaveSeenItDownLongEnough() {
    detector.members(Set.of("a", "b"));
    detector.report("a", List.of(ServerHealth.down(M, 1_000)), T0);
    detector.report("b", List.of(ServerHealth.down(M, 2_000)), T0);
    // a: down since T0-1s, b: since T0-2s; 3 s are reached by b at T0+1s, by a at T0+2s.
    assertThat(detector.objectivelyDown(M, T0, 1, DOWN_AFTER)).isFalse();
    assertThat(detector.objectivelyDown(M, T0 + ms(1_000), 1, DOWN_AFTER)).isTrue();
    assertThat(detector.objectivelyDown(M, T0 + ms(1_000), 2, DOWN_AFTER)).isFalse();
    assertThat(detector.objectivelyDown(M, T0 + ms(2_000), 2, DOWN_AFTER)).isTrue();
    assertThat(detector.downLongEnough(M, T0 + ms(2_000), DOWN_AFTER)).containsExactly("a", "b");
  }

  @Test
  void oneNodeThatCannotReachTheMasterNeverMakesItDown() {
    detector.members(Set.of("a", "b", "c"));
    for (long t = 0; t <= 60_000; t += 2_000) {
      detector.report("a", List.of(ServerHealth.down(M, t)), T0 + ms(t));
      detector.report("b", List.of(up(M, "master", "", 100, "run1", 5)), T0 + ms(t));
      detector.report("c", List.of(up(M, "master", "", 100, "run1", 5)), T0 + ms(t));
      assertThat(detector.objectivelyDown(M, T0 + ms(t), 2, DOWN_AFTER)).isFalse();
    }
    QuorumHealth h = detector.view(List.of(M), T0 + ms(60_000), 2, DOWN_AFTER).get(M);
    assertThat(h.up()).isTrue();
    assertThat(h.downNodes()).containsExactly("a");
    assertThat(h.seenBy()).containsExactly("a", "b", "c");
    assertThat(h.role()).isEqualTo("master");
  }

  @Test
  void aNewReportReplacesTheOldOne() {
    detector.members(Set.of("a"));
    detector.report("a", List.of(ServerHealth.down(M, 5_000)), T0);
    assertThat(detector.objectivelyDown(M, T0, 1, DOWN_AFTER)).isTrue();
    detector.report("a", List.of(up(M, "master", "", 100, "run1", 5)), T0 + ms(100));
    assertThat(detector.objectivelyDown(M, T0 + ms(100), 1, DOWN_AFTER)).isFalse();
    // Down again: the clock starts anew.
    detector.report("a", List.of(ServerHealth.down(M, 0)), T0 + ms(200));
    assertThat(detector.objectivelyDown(M, T0 + ms(3_100), 1, DOWN_AFTER)).isFalse();
    assertThat(detector.objectivelyDown(M, T0 + ms(3_200), 1, DOWN_AFTER)).isTrue();
  }

  @Test
  void staleReportsAndNonMembersHaveNoOpinion() {
    detector.members(Set.of("a"));
    detector.report("a", List.of(ServerHealth.down(M, 10_000)), T0);
    detector.report("gone", List.of(ServerHealth.down(M, 10_000)), T0);
    assertThat(detector.downLongEnough(M, T0, DOWN_AFTER)).containsExactly("a");
    assertThat(detector.objectivelyDown(M, T0 + ms(6_000), 1, DOWN_AFTER)).isTrue();
    // Older than three report intervals: its node may be dead, so it says nothing.
    assertThat(detector.objectivelyDown(M, T0 + ms(6_001), 1, DOWN_AFTER)).isFalse();
    assertThat(detector.freshestUp(M, T0)).isEmpty();
    // A member that left takes its reports with it.
    detector.members(Set.of("b"));
    assertThat(detector.objectivelyDown(M, T0, 1, DOWN_AFTER)).isFalse();
  }

  @Test
  void theViewTakesRolesFromTheFreshestInfoAndComputesLag() {
    detector.members(Set.of("a", "b"));
    ServerHealth oldInfo = new ServerHealth(R, true, 0, "replica", M, true, 0, 700, "id", "runR", 3, 100, 900);
    ServerHealth newInfo = new ServerHealth(R, true, 0, "replica", M, true, 0, 800, "id", "runR", 3, 100, 100);
    detector.report("a", List.of(up(M, "master", "", 1_000, "runM", 3), oldInfo), T0);
    detector.report("b", List.of(ServerHealth.down(M, 100), newInfo), T0);
    QuorumHealth r = detector.view(List.of(), T0, 1, DOWN_AFTER).get(R);
    assertThat(r.offset()).isEqualTo(800);
    assertThat(r.lagBytes()).isEqualTo(200);
    assertThat(r.masterAddr()).isEqualTo(M);
    assertThat(r.linkUp()).isTrue();
    QuorumHealth m = detector.view(List.of(), T0, 1, DOWN_AFTER).get(M);
    assertThat(m.up()).isTrue();
    assertThat(m.downNodes()).containsExactly("b");
    assertThat(m.offset()).isEqualTo(1_000);
    // A server only the topology names is shown, with nobody's opinion.
    QuorumHealth unknown = detector.view(List.of("10.0.0.9:1"), T0, 1, DOWN_AFTER).get("10.0.0.9:1");
    assertThat(unknown.up()).isTrue();
    assertThat(unknown.seenBy()).isEmpty();
    assertThat(unknown.role()).isEmpty();
  }

  static ServerHealth up(String addr, String role, String master, long offset, String runId, long keys) {
    return new ServerHealth(addr, true, 0, role, master, !master.isEmpty(), 0, offset, "replid", runId, keys, 100, 0);
  }

  private static long ms(long millis) {
    return Duration.ofMillis(millis).toNanos();
  }
}
