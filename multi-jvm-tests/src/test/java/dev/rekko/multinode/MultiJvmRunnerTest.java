package dev.rekko.multinode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.apache.pekko.remote.testconductor.RoleName;
import org.junit.jupiter.api.Test;

/** The runner's own failure paths: what a failed or hanging spec reports, and that nothing leaks. */
class MultiJvmRunnerTest {

  @Test
  void aFailedNodeIsNamedWithItsLogAndTheTailOfIt() {
    AssertionError error = catchThrowableOfType(AssertionError.class,
        () -> MultiJvm.run(FailingSpec.class, 2, Duration.ofSeconds(60)));

    assertThat(error).isNotNull();
    assertThat(error.getMessage())
        .contains("FailingSpec failed after")
        .contains("node-1 (exit 1)")
        .doesNotContain("node-0 (")
        .contains("target/multi-jvm/FailingSpec/node-1.log")
        .contains("IllegalStateException: deliberate failure on second");
    assertThat(ProcessHandle.current().children()).isEmpty();
  }

  @Test
  void aNodeStillRunningAtTheTimeoutIsKilledAndReported() {
    AssertionError error = catchThrowableOfType(AssertionError.class,
        () -> MultiJvm.run(HangingSpec.class, 1, Duration.ofSeconds(8)));

    assertThat(error).isNotNull();
    assertThat(error.getMessage())
        .contains("node-0 (killed: still running when the 8 s timeout expired)")
        .contains("target/multi-jvm/HangingSpec/node-0.log")
        .contains("[only] hanging on purpose");
    assertThat(ProcessHandle.current().children()).isEmpty();
  }

  /** The second node throws; the conductor finishes normally once the second has gone. */
  public static final class FailingSpec extends MultiNodeScenario {
    static final class Roles extends ClusterNodeConfig {
      final RoleName first = role("first");
      final RoleName second = role("second");
    }

    private final Roles roles;

    public FailingSpec() {
      this(new Roles());
    }

    private FailingSpec(Roles roles) {
      super(roles);
      this.roles = roles;
    }

    @Override
    public void scenario() throws Exception {
      runOn(roles.second, () -> {
        throw new IllegalStateException("deliberate failure on second");
      });
    }
  }

  public static final class HangingSpec extends MultiNodeScenario {
    static final class Roles extends ClusterNodeConfig {
      final RoleName only = role("only");
    }

    public HangingSpec() {
      super(new Roles());
    }

    @Override
    public void scenario() throws Exception {
      note("hanging on purpose");
      Thread.sleep(Duration.ofMinutes(5).toMillis());
    }
  }
}
