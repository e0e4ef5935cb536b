package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.pubsub.PubSubKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A session's pub/sub without a client socket ({@link SessionHarness}): RESP3 sessions get confirmations
 * and messages as push frames and may run any command while subscribed; a message that arrives for a
 * channel the session has just left is dropped, and what it was charged is given back.
 */
class PubSubSessionTest {
  @Test
  void resp3SessionsGetPushesAndRunAnyCommand() throws Exception {
    try (SessionHarness h = new SessionHarness()) {
      PubSubHub hub = h.session.ctx().pubsub;
      try {
        hub.follow(h.router.loaded());
        h.session.protocol(3);
        assertThat(h.reply(h.send("SUBSCRIBE", "r3"))).isEqualTo(">3\r\n$9\r\nsubscribe\r\n$2\r\nr3\r\n:1");
        Jedis direct = h.direct(h.g1);
        assertThat(direct.publish("r3", "hi")).isEqualTo(1);
        Pending message = nextMessage(h);
        assertThat(SessionHarness.text(message)).isEqualTo(">3\r\n$7\r\nmessage\r\n$2\r\nr3\r\n$2\r\nhi");
        assertThat(h.reply(h.send("PING"))).isEqualTo("+PONG");
        assertThat(h.reply(h.send("SET", "k", "v"))).isEqualTo("+OK");
        assertThat(h.reply(h.send("UNSUBSCRIBE"))).isEqualTo(">3\r\n$11\r\nunsubscribe\r\n$2\r\nr3\r\n:0");
        assertThat(h.reply(h.send("UNSUBSCRIBE"))).isEqualTo(">3\r\n$11\r\nunsubscribe\r\n_\r\n:0");
      } finally {
        hub.close();
      }
    }
  }

  @Test
  void aMessageForAChannelLeftMeanwhileIsDropped() throws Exception {
    try (SessionHarness h = new SessionHarness()) {
      PubSubHub hub = h.session.ctx().pubsub;
      try {
        hub.follow(h.router.loaded());
        h.reply(h.send("SUBSCRIBE", "gone"));
        SessionPubSub ps = h.session.pubsubIfAny();
        h.reply(h.send("UNSUBSCRIBE", "gone"));
        long owed = h.session.held().owed();
        int queued = h.session.queue().size();
        // As a delivery that read the subscribers just before the UNSUBSCRIBE removed this session.
        ps.deliver(new SessionPubSub.Delivery(PubSubKind.CHANNEL, "gone",
            "*3\r\n$7\r\nmessage\r\n$4\r\ngone\r\n$1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(h.session.held().owed()).isGreaterThan(owed);
        h.session.pubsubIfAny().drainInbox();
        assertThat(h.session.queue()).hasSize(queued);
        assertThat(h.session.held().owed()).isEqualTo(owed);
        assertThat(h.session.pubsubIfAny().subscribed()).isFalse();
      } finally {
        hub.close();
      }
    }
  }

  /** Waits for the next message to reach the session and queues it, as the session's thread would. */
  private static Pending nextMessage(SessionHarness h) throws InterruptedException {
    int before = h.session.queue().size();
    while (true) {
      // Cleared first: a message delivered from now on signals again.
      h.session.clearSignal();
      h.session.pubsubIfAny().drainInbox();
      if (h.session.queue().size() > before) {
        return h.session.queue().peekLast();
      }
      h.awaitWakeUp();
    }
  }
}
