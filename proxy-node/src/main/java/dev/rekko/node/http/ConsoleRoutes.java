package dev.rekko.node.http;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web console: {@code GET /} is its page, {@code GET /console/<file>} its scripts, style and icon, all
 * read from the jar ({@code dev/rekko/node/console/}). The page only reads and calls the API of the node
 * that served it, so it needs nothing else from the network; the Content-Security-Policy says so to the
 * browser, which then refuses any script or connection to elsewhere even if a server-provided string got
 * into the page. {@code no-cache} makes a browser revalidate after an upgrade instead of mixing old and
 * new scripts (ETag and Last-Modified keep that cheap).
 */
public final class ConsoleRoutes extends AllDirectives implements RouteGroup {
  static final String ROOT = "dev/rekko/node/console/";
  static final ContentType JAVASCRIPT = ContentTypes.parse("text/javascript; charset=utf-8");
  static final ContentType CSS = ContentTypes.parse("text/css; charset=utf-8");
  static final ContentType SVG = ContentTypes.parse("image/svg+xml");
  private static final Map<String, ContentType> TYPES = Map.of(
      "html", ContentTypes.TEXT_HTML_UTF8, "js", JAVASCRIPT, "css", CSS, "svg", SVG);
  /** One file name, no path: nothing outside the console's folder can be asked for. */
  private static final Pattern ASSET = Pattern.compile("[a-z][a-z0-9-]*\\.(?:js|css|svg|html)");
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final List<HttpHeader> HEADERS = List.of(
      CacheControl.create(CacheDirectives.NO_CACHE),
      RawHeader.create("Content-Security-Policy", CSP),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"));

  @Override
  public Route route() {
    return get(() -> concat(
        pathSingleSlash(() -> respondWithHeaders(HEADERS, () -> getFromResource(ROOT + "index.html",
            ContentTypes.TEXT_HTML_UTF8))),
        path(PathMatchers.segment("console").slash(PathMatchers.segment(ASSET)), name ->
            respondWithHeaders(HEADERS, () -> getFromResource(ROOT + name, TYPES.get(extension(name)))))));
  }

  private static String extension(String name) {
    return name.substring(name.lastIndexOf('.') + 1);
  }
}
