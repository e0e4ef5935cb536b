package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A thousand subscribers on one node, each to a channel of its own and to one they share, and a few
 * pattern subscribers: the backend servers see one subscriber connection of the node, and every
 * message reaches every subscriber it should.
 */
class PubSubScaleTest {
  private static final int SUBSCRIBERS = 1000;
  private static final int PATTERNS = 5;

  @Test
  void aThousandSubscribersShareOneBackendConnection() throws Exception {
    try (ProxyFixture fx = ProxyFixture.builder().groups(2).start()) {
      List<RespSocket> subs = new ArrayList<>();
      for (int i = 0; i < SUBSCRIBERS; i++) {
        RespSocket s = fx.socket();
        s.send("SUBSCRIBE", "ch:" + i, "all");
        subs.add(s);
      }
      for (int i = 0; i < SUBSCRIBERS; i++) {
        assertThat(subs.get(i).read()).isEqualTo(List.of("subscribe", "ch:" + i, 1L));
        assertThat(subs.get(i).read()).isEqualTo(List.of("subscribe", "all", 2L));
      }
      List<RespSocket> patterns = new ArrayList<>();
      for (int i = 0; i < PATTERNS; i++) {
        RespSocket s = fx.socket();
        assertThat(s.call("PSUBSCRIBE", "ch:*")).isEqualTo(List.of("psubscribe", "ch:*", 1L));
        patterns.add(s);
      }

      List<String> onGlobal = PubSubNodesTestSupport.hubConnections(fx, fx.master(1));
      assertThat(onGlobal).singleElement().asString().contains(" sub=" + (SUBSCRIBERS + 1) + " ")
          .contains(" psub=1 ");
      assertThat(PubSubNodesTestSupport.hubConnections(fx, fx.master(2))).isEmpty();
      assertThat(fx.node().context().pubsub.connections()).hasSize(1);

      RespSocket pub = fx.socket();
      assertThat(pub.call("PUBLISH", "all", "to everyone")).as("one backend receiver: the node").isEqualTo(1L);
      for (RespSocket s : subs) {
        assertThat(s.read()).isEqualTo(List.of("message", "all", "to everyone"));
      }
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      for (int i = 0; i < SUBSCRIBERS; i++) {
        RespSocket.appendCommand(batch, "PUBLISH", "ch:" + i, "m" + i);
      }
      pub.write(batch.toByteArray());
      for (int i = 0; i < SUBSCRIBERS; i++) {
        assertThat(pub.read()).as("the channel and the pattern").isEqualTo(2L);
      }
      for (int i = 0; i < SUBSCRIBERS; i++) {
        assertThat(subs.get(i).read()).isEqualTo(List.of("message", "ch:" + i, "m" + i));
      }
      for (RespSocket s : patterns) {
        for (int i = 0; i < SUBSCRIBERS; i++) {
          assertThat(s.read()).isEqualTo(List.of("pmessage", "ch:*", "ch:" + i, "m" + i));
        }
      }
      assertThat(pub.call("PUBSUB", "NUMSUB", "all", "ch:7")).isEqualTo(List.of("all", (long) SUBSCRIBERS, "ch:7", 1L));
    }
  }
}
