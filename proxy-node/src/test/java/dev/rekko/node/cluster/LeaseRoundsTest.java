package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

class LeaseRoundsTest {
  private static final long F = 4_000_000_000L;
  private static final Address A = address(2551);
  private static final Address B = address(2552);
  private static final Address C = address(2553);
  private static final Address D = address(2554);

  @Test
  void aSingleNodeClusterLeasesItselfFromEachRound() {
    LeaseRounds rounds = new LeaseRounds(F, A);
    long t0 = 1_000L;
    rounds.open(t0);
    assertThat(rounds.evaluate(List.of(A))).isTrue();
    assertThat(rounds.valid(t0 + F - 1)).isTrue();
    assertThat(rounds.valid(t0 + F)).isFalse();
  }

  @Test
  void noLeaseBeforeAMajorityAnswers() {
    LeaseRounds rounds = new LeaseRounds(F, A);
    List<Address> members = List.of(A, B, C);
    long seq = rounds.open(0);
    assertThat(rounds.evaluate(members)).isFalse();
    assertThat(rounds.valid(1)).isFalse();
    assertThat(rounds.answered(seq, B, members)).isTrue();
    assertThat(rounds.valid(F - 1)).isTrue();
    assertThat(rounds.until()).isEqualTo(F);
  }

  @Test
  void theLeaseCountsFromWhenARoundWasSentNotWhenItsAnswersArrived() {
    LeaseRounds rounds = new LeaseRounds(F, A);
    List<Address> members = List.of(A, B, C);
    long first = rounds.open(0);
    long second = rounds.open(1_000_000_000L);
    assertThat(rounds.answered(second, C, members)).isTrue();
    // The older round's answer, arriving later, cannot move the deadline back or forward.
    assertThat(rounds.answered(first, B, members)).isFalse();
    assertThat(rounds.until()).isEqualTo(1_000_000_000L + F);
  }

  @Test
  void aNodeThatFrozeWakesWithoutALeaseAndEarnsNoneWithoutAnswers() {
    LeaseRounds rounds = new LeaseRounds(F, A);
    List<Address> members = List.of(A, B, C);
    long seq = rounds.open(0);
    rounds.answered(seq, B, members);
    long woke = 25_000_000_000L;
    assertThat(rounds.valid(woke)).isFalse();
    long late = rounds.open(woke);
    assertThat(rounds.evaluate(members)).isFalse();
    assertThat(rounds.valid(woke + 1)).isFalse();
    // An answer to a round sent before the pause is too old to count for anything.
    assertThat(rounds.answered(seq, C, members)).isFalse();
    assertThat(rounds.answered(late, C, members)).isTrue();
    assertThat(rounds.valid(woke + 1)).isTrue();
  }

  @Test
  void keepMajorityRuleWithTheLowestAddressBreakingATie() {
    assertThat(LeaseRounds.majority(Set.of(A, B), List.of(A, B, C, D))).isTrue();
    assertThat(LeaseRounds.majority(Set.of(C, D), List.of(A, B, C, D))).isFalse();
    assertThat(LeaseRounds.majority(Set.of(A, B, C), List.of(A, B, C, D))).isTrue();
    assertThat(LeaseRounds.majority(Set.of(D), List.of())).isFalse();
    // Answers from nodes that no longer count do not help.
    assertThat(LeaseRounds.majority(Set.of(A, D), List.of(A, B, C))).isFalse();
  }

  private static Address address(int port) {
    return new Address("pekko", "rekko", "127.0.0.1", port);
  }
}
