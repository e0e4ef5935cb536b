package dev.rekko.node.proxy;

import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.redis.pubsub.SubscriberConnection;
import java.util.List;
import redis.clients.jedis.Jedis;

/** What the pub/sub tests look at on the backend servers. */
final class PubSubNodesTestSupport {
  private PubSubNodesTestSupport() {}

  /** The nodes' subscriber connections on {@code server}, as CLIENT LIST TYPE pubsub lines. */
  static List<String> hubConnections(ProxyFixture fx, RedisServer server) {
    try (Jedis direct = fx.direct(server)) {
      return direct.clientList(redis.clients.jedis.args.ClientType.PUBSUB).lines()
          .filter(l -> l.contains("name=" + SubscriberConnection.CLIENT_NAME + " ")).toList();
    }
  }
}
