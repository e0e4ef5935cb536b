package dev.rekko.multinode;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PartitionHarnessTest {

  @Test
  void splitBrainResolverDownsThePartitionedNodeAndEveryJvmExitsCleanly() {
    MultiJvm.run(PartitionSpec.class, 3, Duration.ofSeconds(90));
  }
}
