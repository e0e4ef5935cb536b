package dev.rekko.coordinator.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.coordinator.Coordinator.Command;
import dev.rekko.coordinator.Coordinator.Result;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A stand-in for the coordinator singleton: shows every command it gets to the current monitor (a test
 * probe) and answers with the current canned {@link Result}, or not at all when the answer is empty. The
 * real coordinator's decisions are tested with it; here only the HTTP mapping is.
 */
final class CannedCoordinator {
  final AtomicReference<ActorRef<Command>> monitor = new AtomicReference<>();
  final AtomicReference<Function<Command, Optional<Result>>> answers = new AtomicReference<>(c -> Optional.empty());

  Behavior<Command> behavior() {
    return Behaviors.receiveMessage(command -> {
      ActorRef<Command> m = monitor.get();
      if (m != null) {
        m.tell(command);
      }
      answers.get().apply(command).ifPresent(result -> replyTo(command).tell(result));
      return Behaviors.same();
    });
  }

  void answer(Result result) {
    answers.set(c -> Optional.of(result));
  }

  void silent() {
    answers.set(c -> Optional.empty());
  }

  static ActorRef<Result> replyTo(Command c) {
    if (c instanceof Coordinator.Operation o) {
      return o.replyTo();
    }
    throw new IllegalArgumentException("not an operation: " + c);
  }
}
