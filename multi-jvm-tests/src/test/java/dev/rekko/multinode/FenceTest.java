package dev.rekko.multinode;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FenceTest {

  @Test
  void aPartitionedNodeFencesItselfIsDownedAndRejoinsAfterHealing() {
    MultiJvm.run(FenceSpec.class, 3, Duration.ofSeconds(180));
  }
}
