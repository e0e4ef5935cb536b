package dev.rekko.coordinator.http;

import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every call that changes something (POST, PUT, PATCH, DELETE) must say {@code Content-Type:
 * application/json}, or it is answered 415 before the token is checked or the coordinator asked. A web page can make a browser send a
 * POST to another site only as a form ({@code application/x-www-form-urlencoded}, {@code multipart/form-data}
 * or {@code text/plain}): a JSON one needs a CORS preflight that this API never grants. So a page the
 * operator happens to open cannot {@code POST /api/rebalance?confirm=true} to a node on their network, with
 * or without an admin token.
 */
public final class JsonOnly extends AllDirectives {
  private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final JsonOnly INSTANCE = new JsonOnly();

  private JsonOnly() {}

  /**
   * {@code inner} for reads and for JSON calls; a 415 JSON error for other calls that change something. The
   * supplier runs only for a call let through: building a route may already ask the coordinator.
   */
  public static Route guard(Supplier<Route> inner) {
    return INSTANCE.extractRequest(request -> allowed(request) ? inner.get() : INSTANCE.complete(HttpJson.error(
        StatusCodes.UNSUPPORTED_MEDIA_TYPE, "a " + request.method().name() + " needs Content-Type: application/json"
            + ", not " + shown(request.entity().getContentType()))));
  }

  static boolean allowed(HttpRequest request) {
    if (!MUTATING.contains(request.method().name().toUpperCase(Locale.ROOT))) {
      return true;
    }
    var type = request.entity().getContentType().mediaType();
    return type.mainType().equalsIgnoreCase("application") && type.subType().equalsIgnoreCase("json");
  }

  private static String shown(ContentType type) {
    return type.equals(ContentTypes.NO_CONTENT_TYPE) ? "none" : type.toString();
  }
}
