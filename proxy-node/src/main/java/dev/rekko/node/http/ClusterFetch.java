package dev.rekko.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rekko.coordinator.http.HttpJson;
import dev.rekko.node.config.AdminTls;
import dev.rekko.redis.tls.TlsContexts;
import dev.rekko.topology.NodeInfo;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.Materializer;

/**
 * Reads one path of the HTTP API from every node the topology lists (this one included), for the views
 * that merge the cluster ({@code ?scope=cluster}): hot keys, per-node history. Each node gets
 * {@link #TIMEOUT}; a node that does not answer in time, or answers an error, is reported with its
 * error instead of a body, never failing the whole call. Over HTTPS ({@code rekko.admin.tls}) it trusts
 * {@code ca-file} (else the JVM's CAs) and shows the node's own certificate, for peers that ask for one.
 */
public final class ClusterFetch {
  public static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** One node's answer: {@code body} present on a 2xx JSON answer, else {@code error} says why. */
  public record NodeAnswer(String address, String http, Optional<JsonNode> body, Optional<String> error) {}

  private final ClassicActorSystemProvider system;
  private final Supplier<Topology> topology;
  private final AdminTls tls;
  private final Optional<HttpsConnectionContext> https;

  public ClusterFetch(ClassicActorSystemProvider system, Supplier<Topology> topology, AdminTls tls) {
    this.system = system;
    this.topology = topology;
    this.tls = tls;
    this.https = tls.enabled() ? Optional.of(httpsContext(tls)) : Optional.empty();
  }

  /** GETs {@code pathAndQuery} (e.g. {@code /api/hotkeys}) from every node with an HTTP address, in address order. */
  public CompletionStage<List<NodeAnswer>> fetchAll(String pathAndQuery) {
    List<CompletableFuture<NodeAnswer>> calls = new ArrayList<>();
    for (NodeInfo n : topology.get().nodes().values()) {
      if (n.http() != null && !n.http().isEmpty()) {
        calls.add(fetch(n, pathAndQuery));
      }
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
        .thenApply(done -> calls.stream().map(CompletableFuture::join).toList());
  }

  private CompletableFuture<NodeAnswer> fetch(NodeInfo node, String pathAndQuery) {
    HttpRequest request = HttpRequest.GET(tls.scheme() + "://" + node.http() + pathAndQuery);
    Http http = Http.get(system);
    Materializer mat = Materializer.matFromSystem(system);
    CompletionStage<NodeAnswer> call = (https.isPresent()
        ? http.singleRequest(request, https.get())
        : http.singleRequest(request))
        .thenCompose(response -> response.entity().toStrict(TIMEOUT.toMillis(), mat)
            .thenApply(entity -> {
              int status = response.status().intValue();
              try {
                JsonNode body = HttpJson.MAPPER.readTree(entity.getData().toArray());
                if (status / 100 == 2) {
                  return new NodeAnswer(node.address(), node.http(), Optional.of(body), Optional.empty());
                }
                return failed(node, "HTTP " + status + ": " + body.path("error").asText(body.toString()));
              } catch (java.io.IOException e) {
                return failed(node, "HTTP " + status + ", not JSON: " + e.getMessage());
              }
            }));
    return call.toCompletableFuture()
        .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> failed(node, "no answer: " + (e.getCause() != null ? e.getCause() : e)));
  }

  private static NodeAnswer failed(NodeInfo node, String error) {
    return new NodeAnswer(node.address(), node.http(), Optional.empty(), Optional.of(error));
  }

  private static HttpsConnectionContext httpsContext(AdminTls tls) {
    try {
      return ConnectionContext.httpsClient(TlsContexts.client(tls.ca(), Optional.of(tls.cert()), Optional.of(tls.key())));
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("rekko.admin.tls: " + e.getMessage(), e);
    }
  }
}
