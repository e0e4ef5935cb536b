package dev.rekko.coordinator.http;

import dev.rekko.protocol.SlotHash;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.topology.Topology;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/slots}, {@code /api/migrations} and {@code /api/rebalance}: reading slots, assigning
 * offline ones, and migrating online ones (a range, N slots of a group, or the rebalance plan), with the
 * migrations' progress and their pause, resume, throttle and cancel.
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
            path("migrate", () -> post(() -> mutating(() -> withJson(body -> {
              int group = groupField(body, "group");
              if (body.has("count")) {
                int count = body.requiredInt("count");
                int fromGroup = groupField(body, "fromGroup");
                return ask(replyTo -> new Coordinator.MigrateCount(count, fromGroup, group, replyTo));
              }
              int from = slotField(body, "from");
              int to = slotField(body, "to");
              if (from > to) {
                throw new JsonBody.Invalid("'from' (" + from + ") is after 'to' (" + to + ")");
              }
              return ask(replyTo -> new Coordinator.MigrateSlots(from, to, group, replyTo));
            })))),
            path(segment(), raw -> ACTIONS.contains(raw) ? reject() : get(() -> show(raw))))),
        pathPrefix("migrations", () -> concat(
            pathEnd(() -> get(() -> ask(Coordinator.GetMigrations::new))),
            path("pause", () -> post(() -> mutating(() ->
                ask(replyTo -> new Coordinator.PauseMigrations(true, replyTo))))),
            path("resume", () -> post(() -> mutating(() ->
                ask(replyTo -> new Coordinator.PauseMigrations(false, replyTo))))),
            path("cancel", () -> post(() -> mutating(() -> ask(Coordinator.CancelPendingMigrations::new)))),
            path("throttle", () -> post(() -> mutating(() -> withJson(body -> {
              long rate = body.requiredLong("maxKeysPerSecond");
              if (rate < 0) {
                throw new JsonBody.Invalid("field 'maxKeysPerSecond' must be 0 (no cap) or positive, not " + rate);
              }
              return ask(replyTo -> new Coordinator.ThrottleMigrations(rate, replyTo));
            })))))),
        path("rebalance", () -> post(() -> mutating(() -> parameterOptional("confirm", confirm -> {
          String value = confirm.orElse("false");
          if (value.equalsIgnoreCase("true")) {
            return ask(Coordinator.ApplyRebalance::new);
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
    if (id.getAsLong() < 0 || id.getAsLong() >= SlotHash.SLOTS) {
      return notFound("no such slot: " + raw + " (slots are 0.." + (SlotHash.SLOTS - 1) + ")");
    }
    return complete(HttpJson.ok(topology.get().slot((int) id.getAsLong())));
  }

  private static int slotField(JsonBody body, String field) {
    int slot = body.requiredInt(field);
    if (slot < 0 || slot >= SlotHash.SLOTS) {
      throw new JsonBody.Invalid("field '" + field + "' must be a slot 0.." + (SlotHash.SLOTS - 1)
          + ", not " + slot);
    }
    return slot;
  }
}
