package dev.rekko.deploy.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * Client-side discovery of Rekko nodes outside Kubernetes, the part Codis's Jodis played: ask any node
 * for {@code GET /api/nodes}, keep a connection pool per node that is {@code UP}, and spread the work
 * over them. Every node serves every key, so any pool will do for any command. Quoted in the README
 * ("Client discovery"); the packaged-cluster test runs it.
 */
public final class RekkoNodes implements AutoCloseable {
  private final List<RedisClient> pools;
  private final AtomicInteger next = new AtomicInteger();

  private RekkoNodes(List<RedisClient> pools) {
    this.pools = pools;
  }

  /** Reads the node list from {@code http} ("host:port" of any node's HTTP API); password may be null. */
  public static RekkoNodes discover(String http, String password) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + http + "/api/nodes"))
        .timeout(Duration.ofSeconds(5)).build();
    String body = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
    List<RedisClient> pools = new ArrayList<>();
    for (JsonNode node : new ObjectMapper().readTree(body)) {
      if (node.path("state").asText().equals("UP")) {
        pools.add(RedisClient.builder()
            .hostAndPort(HostAndPort.from(node.path("resp").asText()))
            .clientConfig(DefaultJedisClientConfig.builder().password(password).build())
            .build());
      }
    }
    if (pools.isEmpty()) {
      throw new IOException("no node is UP according to " + http);
    }
    return new RekkoNodes(pools);
  }

  /** The next node's pool, round robin. */
  public RedisClient next() {
    return pools.get(Math.floorMod(next.getAndIncrement(), pools.size()));
  }

  public int size() {
    return pools.size();
  }

  @Override
  public void close() {
    pools.forEach(RedisClient::close);
  }
}
