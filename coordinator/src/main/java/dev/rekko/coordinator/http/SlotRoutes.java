package dev.rekko.coordinator.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.topology.Topology;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/slots}, {@code /api/migrations} and {@code /api/rebalance}. Moving slots that hold data
 * (migrate, and applying a rebalance) needs online migration; until it exists those calls answer 501.
 */
final class SlotRoutes extends ApiDirectives {
  /** Paths under /api/slots that are not slot ids, so a wrong method on them is a 405, not a bad id. */
  private static final Set<String> ACTIONS = Set.of("assign", "migrate");

  private final Supplier<Topology> topology;

  SlotRoutes(TokenCheck token, CoordinatorCall coordinator, Supplier<Topology> topology) {
    super(token, coordinator);
    this.topology = topology;
  }

  Route route() {
    return concat(
        pathPrefix("slots", () -> concat(
            pathEnd(() -> get(() -> complete(HttpJson.ok(topology.get().slots())))),
            path("assign", () -> post(() -> mutating(() -> withJson(body -> {
              int from = slotField(body, "from");
              int to = slotField(body, "to");
              int group = groupField(body, "group");
              if (from > to) {
                throw new JsonBody.Invalid("'from' (" + from + ") is after 'to' (" + to + ")");
              }
              return ask(replyTo -> new Coordinator.AssignSlots(from, to, group, replyTo));
            })))),
            path("migrate", () -> post(() -> mutating(() ->
                notImplemented("migrating slots " + NOT_YET)))),
            path(segment(), raw -> ACTIONS.contains(raw) ? reject() : get(() -> show(raw))))),
        path("migrations", () -> get(() -> notImplemented("listing migrations " + NOT_YET))),
        path("rebalance", () -> post(() -> mutating(() -> parameterOptional("confirm", confirm -> {
          String value = confirm.orElse("false");
          if (value.equalsIgnoreCase("true")) {
            return notImplemented("applying a rebalance " + NOT_YET);
          }
          if (!value.equalsIgnoreCase("false")) {
            return badRequest("confirm must be true or false, not " + value);
          }
          return ask(Coordinator.PlanRebalance::new);
        })))));
  }

  private Route show(String raw) {
    OptionalLong id = number(raw);
    if (id.isEmpty()) {
      return badRequest("slot id must be a number: " + raw);
    }
    if (id.getAsLong() < 0 || id.getAsLong() >= Topology.SLOT_COUNT) {
      return notFound("no such slot: " + raw + " (slots are 0.." + (Topology.SLOT_COUNT - 1) + ")");
    }
    return complete(HttpJson.ok(topology.get().slot((int) id.getAsLong())));
  }

  private static int slotField(JsonBody body, String field) {
    int slot = body.requiredInt(field);
    if (slot < 0 || slot >= Topology.SLOT_COUNT) {
      throw new JsonBody.Invalid("field '" + field + "' must be a slot 0.." + (Topology.SLOT_COUNT - 1)
          + ", not " + slot);
    }
    return slot;
  }
}
