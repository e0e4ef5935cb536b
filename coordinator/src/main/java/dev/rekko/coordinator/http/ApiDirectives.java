package dev.rekko.coordinator.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.coordinator.Coordinator.Result;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** What the API's route classes share: the token rule, JSON bodies, ids from the path, the coordinator. */
abstract class ApiDirectives extends AllDirectives {

  private final TokenCheck token;
  private final CoordinatorCall coordinator;

  ApiDirectives(TokenCheck token, CoordinatorCall coordinator) {
    this.token = token;
    this.coordinator = coordinator;
  }

  /** A POST or DELETE: a JSON content type ({@link JsonOnly}), then the token, then the call. */
  Route mutating(Supplier<Route> inner) {
    return JsonOnly.guard(() -> token.mutating(inner));
  }

  /**
   * The body as a JSON object (its Content-Type was checked before: {@link JsonOnly}). The function reads the
   * fields it needs and returns the route; a mistake in the body it meets is answered 400.
   */
  Route withJson(Function<JsonBody, Route> inner) {
    return entity(Unmarshaller.entityToString(), text -> {
      try {
        return inner.apply(JsonBody.parse(text));
      } catch (JsonBody.Invalid e) {
        return badRequest(e.getMessage());
      }
    });
  }

  Route ask(Function<ActorRef<Result>, Coordinator.Command> message) {
    return completeWithFuture(coordinator.ask(message));
  }

  /** A group id from the path: 400 when it is no number, 404 when no group can have it. */
  Route withGroupId(String raw, IntFunction<Route> inner) {
    OptionalLong id = number(raw);
    if (id.isEmpty()) {
      return badRequest("group id must be a number: " + raw);
    }
    if (id.getAsLong() <= 0 || id.getAsLong() > Integer.MAX_VALUE) {
      return notFound("no such group: " + raw);
    }
    return inner.apply((int) id.getAsLong());
  }

  /** A positive group id from a body field. */
  static int groupField(JsonBody body, String field) {
    int id = body.requiredInt(field);
    if (id <= 0) {
      throw new JsonBody.Invalid("field '" + field + "' must be a positive group id, not " + id);
    }
    return id;
  }

  Route badRequest(String message) {
    return complete(HttpJson.error(StatusCodes.BAD_REQUEST, message));
  }

  Route notFound(String message) {
    return complete(HttpJson.error(StatusCodes.NOT_FOUND, message));
  }

  /** A path segment of digits (a sign allowed) as a number; too many digits saturate, they name nothing. */
  static OptionalLong number(String raw) {
    if (!raw.matches("-?\\d{1,30}")) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(raw));
    } catch (NumberFormatException e) {
      return OptionalLong.of(raw.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE);
    }
  }
}
