package dev.rekko.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.ha.Candidates.Candidate;
import dev.rekko.redis.health.ServerHealth;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CandidatesTest {
  private static final Duration MAX_LINK_DOWN = Duration.ofSeconds(60);
  private static final long T0 = 1_000_000_000_000L;

  @Test
  void highestOffsetFirstThenLowestPriorityThenAddress() {
    Candidates.Ranking r = Candidates.rank(List.of(
        candidate("10.0.0.4:1", 100, 100), candidate("10.0.0.3:1", 200, 100), candidate("10.0.0.2:1", 200, 50),
        candidate("10.0.0.1:1", 200, 50)), MAX_LINK_DOWN, false);
    assertThat(r.eligible()).extracting(Candidate::addr)
        .containsExactly("10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1", "10.0.0.4:1");
    assertThat(r.excluded()).isEmpty();
  }

  @Test
  void downNeverPromotedLongUnlinkedAndEmptyReplicasAreNotCandidates() {
    Candidate down = Candidate.down("10.0.0.1:1", "down for the quorum");
    Candidate never = candidate("10.0.0.2:1", 900, 0);
    Candidate unlinked = new Candidate("10.0.0.3:1", "", 900, 100, false, 61_000, 5);
    Candidate recentlyUnlinked = new Candidate("10.0.0.4:1", "", 10, 100, false, 3_000, 0);
    Candidate ok = candidate("10.0.0.5:1", 5, 100);
    Candidates.Ranking r = Candidates.rank(List.of(down, never, unlinked, recentlyUnlinked, ok), MAX_LINK_DOWN, false);
    assertThat(r.eligible()).containsExactly(recentlyUnlinked, ok);
    assertThat(r.why()).contains("10.0.0.1:1: down for the quorum", "10.0.0.2:1: replica-priority 0",
        "10.0.0.3:1: link to the master down for 61000 ms");
    // After a master restarted empty, only a replica that holds keys can save anything.
    assertThat(Candidates.rank(List.of(recentlyUnlinked, ok), MAX_LINK_DOWN, true).eligible()).containsExactly(ok);
    assertThat(Candidates.rank(List.of(), MAX_LINK_DOWN, false).why()).isEqualTo("the group has no replica");
  }

  @Test
  void fromTheViewOnlyReplicasUpForTheQuorumWithAReport() {
    String m = "10.0.0.1:1";
    GroupInfo g = new GroupInfo(1, List.of(ServerInfo.master(m), ServerInfo.replica("10.0.0.2:1"),
        ServerInfo.replica("10.0.0.3:1"), ServerInfo.replica("10.0.0.4:1"), ServerInfo.replica("10.0.0.5:1")),
        false, 7);
    DownDetector d = new DownDetector(Duration.ofSeconds(2));
    d.members(Set.of("a"));
    // The replica's link went down 2 s before this report; the report is 1 s old when the choice is made.
    ServerHealth linkDown = new ServerHealth("10.0.0.2:1", true, 0, "replica", m, false, 2_000, 50, "id", "r", 1,
        100, 0);
    d.report("a", List.of(ServerHealth.down(m, 9_000), linkDown, ServerHealth.down("10.0.0.3:1", 9_000),
        DownDetectorTest.up("10.0.0.5:1", "replica", m, 40, "r5", 1)), T0);
    List<Candidate> found = Candidates.fromView(g, d, T0 + Duration.ofSeconds(1).toNanos(), 1, Duration.ofSeconds(3),
        Set.of("10.0.0.5:1"));
    assertThat(found).hasSize(4);
    assertThat(found.get(0)).isEqualTo(new Candidate("10.0.0.2:1", "", 50, 100, false, 3_000, 1));
    assertThat(found.get(1).notUp()).isEqualTo("down for the quorum");
    assertThat(found.get(2).notUp()).isEqualTo("no node reaches it");
    assertThat(found.get(3).notUp()).contains("failed to become the master");
    assertThat(Candidates.rank(found, MAX_LINK_DOWN, false).eligible()).extracting(Candidate::addr)
        .containsExactly("10.0.0.2:1");
  }

  private static Candidate candidate(String addr, long offset, int priority) {
    return new Candidate(addr, "", offset, priority, true, 0, 1);
  }
}
