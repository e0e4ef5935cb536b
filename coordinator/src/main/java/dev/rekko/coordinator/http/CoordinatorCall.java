package dev.rekko.coordinator.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.coordinator.Coordinator.Result;
import dev.rekko.topology.GroupInfo;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One admin operation: ask the coordinator, turn its {@link Result} (or its silence) into a response. */
final class CoordinatorCall {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorCall.class);

  private final ActorSystem<?> system;
  private final ActorRef<Coordinator.Command> coordinator;
  private final Duration timeout;
  private final Function<GroupInfo, Object> groupView;

  CoordinatorCall(ActorSystem<?> system, ActorRef<Coordinator.Command> coordinator, Duration timeout,
      Function<GroupInfo, Object> groupView) {
    this.system = system;
    this.coordinator = coordinator;
    this.timeout = timeout;
    this.groupView = groupView;
  }

  CompletionStage<HttpResponse> ask(Function<ActorRef<Result>, Coordinator.Command> message) {
    return AskPattern.ask(coordinator, message::apply, timeout, system.scheduler())
        .handle((result, failure) -> failure == null ? response(result) : failed(failure));
  }

  private HttpResponse response(Result result) {
    if (result instanceof Coordinator.GroupChanged changed) {
      return HttpJson.ok(groupView.apply(changed.group()));
    } else if (result instanceof Coordinator.GroupRemoved removed) {
      return HttpJson.ok(Map.of("removed", removed.id()));
    } else if (result instanceof Coordinator.SlotsChanged changed) {
      return HttpJson.ok(changed);
    } else if (result instanceof Coordinator.RebalancePlan plan) {
      return HttpJson.ok(plan);
    } else if (result instanceof Coordinator.MigrationsView view) {
      return HttpJson.ok(view);
    } else if (result instanceof Coordinator.MigrationsChanged changed) {
      return HttpJson.ok(Map.of("message", changed.message()));
    } else if (result instanceof Coordinator.Failed failed) {
      return HttpJson.error(errorStatus(failed.status()), failed.message());
    }
    throw new IllegalStateException("unexpected coordinator result " + result);
  }

  /** A refusal keeps the coordinator's status; one that is no error status is the coordinator's bug: 500. */
  private static StatusCode errorStatus(int status) {
    if (status < 400 || status > 599) {
      log.warn("coordinator refused with status {}, answering 500", status);
      return StatusCodes.INTERNAL_SERVER_ERROR;
    }
    return StatusCodes.lookup(status).orElseGet(() -> StatusCodes.custom(status, "Error", "", false, true));
  }

  private HttpResponse failed(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof TimeoutException) {
      // A coordinator that is moving to another node (singleton hand-over) or busy: retrying later helps.
      return HttpJson.error(StatusCodes.SERVICE_UNAVAILABLE,
          "coordinator did not answer within " + describe(timeout));
    }
    log.warn("asking the coordinator failed", cause);
    return HttpJson.error(StatusCodes.INTERNAL_SERVER_ERROR, "asking the coordinator failed: " + cause);
  }

  static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
