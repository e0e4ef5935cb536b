package dev.rekko.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.config.ProxySettings.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code demo -D rekko.proxy.transport=streams}: every node of the demo runs the Streams transport. */
class DemoTransportTest {

  @Test
  void aDashDTransportReachesEveryNode() {
    Demo.Options o = new Demo.Options(3, 2, 1, 19000, 11080, 2551, Optional.empty(),
        Map.of("rekko.proxy.transport", "streams"), Duration.ofSeconds(120));
    for (int i = 0; i < o.nodes(); i++) {
      NodeConfig c = NodeConfig.of(Demo.nodeSettings(o, i, List.of(), Path.of("node-" + i), null));
      assertThat(c.proxy().transport()).isEqualTo(Transport.STREAMS);
    }
    Demo.Options plain = new Demo.Options(1, 1, 0, 19000, 11080, 2551, Optional.empty(), Map.of(),
        Duration.ofSeconds(120));
    assertThat(NodeConfig.of(Demo.nodeSettings(plain, 0, List.of(), Path.of("node-0"), null)).proxy().transport())
        .isEqualTo(Transport.NIO);
  }
}
