package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rekko.node.config.ProxySettings.Transport;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code rekko.proxy.transport}: nio by default, streams on request, anything else refused at start. */
class TransportConfigTest {

  @Test
  void nioByDefault() {
    assertThat(NodeConfig.of(Map.of()).proxy().transport()).isEqualTo(Transport.NIO);
  }

  @Test
  void streamsFromAnOverrideInAnyCase() {
    assertThat(NodeConfig.of(Map.of("rekko.proxy.transport", "streams")).proxy().transport())
        .isEqualTo(Transport.STREAMS);
    assertThat(NodeConfig.of(Map.of("rekko.proxy.transport", "Streams")).proxy().transport())
        .isEqualTo(Transport.STREAMS);
  }

  @Test
  void streamsFromTheEnvironment() {
    NodeConfig c = NodeConfig.load(Optional.empty(), Map.of(), Map.of("REKKO_PROXY_TRANSPORT", "streams"));
    assertThat(c.proxy().transport()).isEqualTo(Transport.STREAMS);
  }

  @Test
  void anythingElseIsRefused() {
    NodeConfigException e = catchThrowableOfType(NodeConfigException.class,
        () -> NodeConfig.of(Map.of("rekko.proxy.transport", "netty")));
    assertThat(e.getMessage()).contains("rekko.proxy.transport: must be nio or streams, got \"netty\"");
  }
}
