package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The listener's answer to failing accepts: growing pauses, one log line per burst, bursts logged sparingly. */
class AcceptBackoffTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void pausesDoubleUpToASecondAndOnlyTheFirstFailureOfABurstIsLogged() {
    AcceptBackoff b = new AcceptBackoff();
    long now = 0;
    AcceptBackoff.Pause first = b.failed(now);
    assertThat(first.nanos()).isEqualTo(50 * MS);
    assertThat(first.log()).isTrue();
    long[] expected = {100, 200, 400, 800, 1000, 1000};
    for (long e : expected) {
      AcceptBackoff.Pause p = b.failed(now += 10 * MS);
      assertThat(p.nanos()).isEqualTo(e * MS);
      assertThat(p.log()).isFalse();
    }
    assertThat(b.accepted()).as("failures in the burst").isEqualTo(7);
    assertThat(b.accepted()).as("no burst any more").isZero();
  }

  @Test
  void aNewBurstStartsShortAgainButIsLoggedAtMostEveryTenSeconds() {
    AcceptBackoff b = new AcceptBackoff();
    assertThat(b.failed(0).log()).isTrue();
    b.failed(MS);
    b.accepted();
    AcceptBackoff.Pause soon = b.failed(TimeUnit.SECONDS.toNanos(3));
    assertThat(soon.nanos()).isEqualTo(50 * MS);
    assertThat(soon.log()).as("3 s after the last line").isFalse();
    b.accepted();
    AcceptBackoff.Pause later = b.failed(TimeUnit.SECONDS.toNanos(11));
    assertThat(later.log()).isTrue();
    assertThat(later.unlogged()).as("failures not logged since the last line").isEqualTo(2);
  }
}
