package dev.rekko.multinode;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MigrationBarrierTest {

  @Test
  void aMigrationWaitsAtItsBarrierForAPartitionedNodeUntilItIsDownedAndLosesNothing() {
    MultiJvm.run(MigrationBarrierSpec.class, 3, Duration.ofSeconds(300));
  }
}
