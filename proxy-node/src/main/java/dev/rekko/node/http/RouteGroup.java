package dev.rekko.node.http;

import org.apache.pekko.http.javadsl.server.Route;

/**
 * One group of HTTP routes (stats, metrics; later topology, groups, slots, migrations, console),
 * each in its own class. {@link AdminHttpServer} tries the groups in order and turns what none of
 * them matched into JSON errors, so a group only describes its own paths.
 */
@FunctionalInterface
public interface RouteGroup {
  Route route();
}
