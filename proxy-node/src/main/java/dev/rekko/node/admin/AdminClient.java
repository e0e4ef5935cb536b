package dev.rekko.node.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The HTTP API v1 of one node, seen as JSON trees. Trees rather than the topology records because the
 * CLI must keep working when the server adds fields, and must show whatever the server sent with
 * {@code --json}. Every failure becomes an {@link AdminFailure} carrying its exit code.
 */
final class AdminClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  static final ObjectMapper MAPPER = new ObjectMapper();
  // "key": value, as jq and most APIs print it (Jackson's default is "key" : value)
  private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
      .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

  private final URI base;
  private final Optional<String> token;
  private final HttpClient http;

  /** {@code base} like {@code http://127.0.0.1:11080}; {@code token} is sent with every request when present. */
  AdminClient(URI base, Optional<String> token) {
    this(base, token, Optional.empty());
  }

  /**
   * @param tls for an {@code https://} base: the context trusting the node's CA (and holding the client's
   *            certificate when the node asks for one); empty: the JDK's default trust
   */
  AdminClient(URI base, Optional<String> token, Optional<SSLContext> tls) {
    this.base = base;
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER);
    tls.ifPresent(ctx -> {
      SSLParameters params = ctx.getDefaultSSLParameters();
      params.setProtocols(TlsContexts.PROTOCOLS);
      b.sslContext(ctx).sslParameters(params);
    });
    this.http = b.build();
  }

  /** The base URL as the user would write it, without the trailing slash. */
  String shown() {
    String text = base.toString();
    return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }

  JsonNode get(String path) {
    return send("GET", path, HttpRequest.BodyPublishers.noBody());
  }

  JsonNode delete(String path) {
    return send("DELETE", path, HttpRequest.BodyPublishers.noBody());
  }

  /** POST with {@code body} as JSON, or with no body when it is null. */
  JsonNode post(String path, Object body) {
    if (body == null) {
      return send("POST", path, HttpRequest.BodyPublishers.noBody());
    }
    try {
      return send("POST", path, HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write request body as JSON", e);
    }
  }

  static String pretty(JsonNode node) {
    try {
      return PRETTY.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print JSON", e);
    }
  }

  /** One path segment, e.g. a server address: URLEncoder is for forms, where a space is '+'. */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode send(String method, String path, HttpRequest.BodyPublisher body) {
    // relative, so that a base URL with a path (behind a reverse proxy) keeps its prefix
    URI uri = base.resolve(path.startsWith("/") ? path.substring(1) : path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json")
        .method(method, body);
    if (!method.equals("GET")) {
      // The API takes no call that changes something without it (a browser's cross-site form can't send it).
      request.header("Content-Type", "application/json");
    }
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw AdminFailure.unreachable("cannot reach " + shown() + ": no connection within "
          + CONNECT_TIMEOUT.toSeconds() + " s", e);
    } catch (HttpTimeoutException e) {
      throw AdminFailure.noAnswer("no answer from " + uri + " within " + REQUEST_TIMEOUT.toSeconds()
          + " s; the node may still carry the request out");
    } catch (IOException e) {
      String hint = tlsHint(e);
      String why = hint.startsWith(" (the node's certificate") ? "TLS handshake failed" : reason(e);
      throw AdminFailure.unreachable("cannot reach " + shown() + ": " + why + hint, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw AdminFailure.unreachable("interrupted while waiting for " + uri, e);
    }
    int status = response.statusCode();
    String text = response.body() == null ? "" : response.body();
    if (status / 100 != 2) {
      throw AdminFailure.api(status, errorMessage(text, method + " " + path));
    }
    if (text.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw AdminFailure.badAnswer("the node answered " + method + " " + path + " with something that is "
          + "not JSON: " + abbreviate(text));
    }
  }

  /** The {@code error} of a JSON error body; failing that the body itself, so nothing is hidden. */
  static String errorMessage(String body, String call) {
    if (body.isBlank()) {
      return call + " failed";
    }
    try {
      JsonNode error = MAPPER.readTree(body).path("error");
      if (error.isTextual() && !error.asText().isBlank()) {
        return error.asText();
      }
    } catch (JsonProcessingException e) {
      // not JSON: a proxy or another server answered; show its text
    }
    return call + " failed: " + abbreviate(body);
  }

  private static String abbreviate(String text) {
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  /**
   * What to do about a failure that TLS explains: the text of java.net.http's exceptions names the
   * symptom (a handshake alert, a closed connection), not the missing option.
   */
  private String tlsHint(IOException e) {
    boolean https = "https".equalsIgnoreCase(base.getScheme());
    String all = chain(e);
    if (https && (all.contains("PKIX") || all.contains("CertificateException") || all.contains("No subject alternative"))) {
      return " (the node's certificate is not trusted: give the CA that signed it with --cacert FILE)";
    }
    if (https && (all.contains("certificate_required") || all.contains("bad_certificate"))) {
      return " (the node requires a client certificate signed by its CA: give it with --cert FILE --key FILE)";
    }
    if (https && all.contains("Unsupported or unrecognized SSL message")) {
      return " (the node does not speak HTTPS on this port: use http://HOST:PORT)";
    }
    boolean connected = !(e instanceof ConnectException) && !all.contains("Connection refused");
    if (!https && connected && !(e instanceof HttpTimeoutException)) {
      return " (if the node serves HTTPS (rekko.admin.tls), use --cacert FILE or an https:// address)";
    }
    return "";
  }

  private static String chain(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
    }
    return b.toString();
  }

  /**
   * java.net.http throws a ConnectException without a message whose causes have none either; the
   * cause's type says what happened.
   */
  private static String reason(Throwable e) {
    String found = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host";
      }
      if (found == null && t.getMessage() != null && !t.getMessage().isBlank()) {
        found = t.getMessage();
      }
    }
    if (found != null) {
      return found;
    }
    return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
  }
}
