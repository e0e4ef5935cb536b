package dev.rekko.coordinator;

import dev.rekko.coordinator.Coordinator.AssignSlots;
import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.coordinator.Coordinator.Result;
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.SlotSharding;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * Asks slot actors, all at once, to change (take a group, start or cancel a migration), and sums up their
 * answers. Nothing here touches the coordinator's state: it gets a future to pipe to itself.
 */
final class SlotAsks {
  private static final int REASONS_SHOWN = 10;
  private static final int ATTEMPTS = 4;

  private final ActorSystem<?> system;
  private final ActorRef<ShardingEnvelope<SlotEntity.Command>> slots;
  private final Duration timeout;

  SlotAsks(ActorSystem<?> system, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots, Duration timeout) {
    this.system = system;
    this.slots = slots;
    this.timeout = timeout;
  }

  /**
   * What was asked, for the answer's wording.
   *
   * @param what    e.g. "assigning slots 0-511 to group 1"
   * @param done    what an accepted slot did, e.g. "were assigned to group 1"
   * @param slots   the slots asked, in order
   * @param replyTo who hears the outcome
   */
  record Request(String what, String done, List<Integer> slots, ActorRef<Result> replyTo) {}

  /**
   * The answer, and when the node's replica shows it.
   *
   * @param maxEpoch the highest epoch a slot actor wrote (at least the one asked for)
   * @param replyTo  the request's
   */
  record Outcome(Result result, Predicate<Topology> visible, long maxEpoch, ActorRef<Result> replyTo) {}

  CompletionStage<Outcome> assign(AssignSlots m, long epoch) {
    return ask(new Request("assigning slots " + m.from() + "-" + m.to() + " to group " + m.group(),
            "were assigned to group " + m.group(), IntStream.rangeClosed(m.from(), m.to()).boxed().toList(),
            m.replyTo()),
        (slot, replyTo) -> new SlotEntity.Assign(m.group(), epoch, replyTo));
  }

  /**
   * Moves every slot towards its target: those in {@code startNow} start migrating at once, the others
   * become pending; {@code moves} maps slot to target group.
   */
  CompletionStage<Outcome> migrate(Map<Integer, Integer> moves, Set<Integer> startNow, long epoch, String what,
      ActorRef<Result> replyTo) {
    return ask(new Request(what, startNow.isEmpty() ? "are pending" : "are migrating or pending",
            List.copyOf(moves.keySet()), replyTo),
        (slot, r) -> new SlotEntity.Migrate(moves.get(slot), epoch, startNow.contains(slot), r));
  }

  CompletionStage<Outcome> cancelMigrations(List<Integer> pending, ActorRef<Result> replyTo) {
    return ask(new Request("cancelling " + pending.size() + " pending migrations", "were cancelled", pending,
        replyTo), (slot, r) -> new SlotEntity.CancelMigration(r));
  }

  /** One answer per slot, in the request's order; a slot that does not answer in time is a rejection. */
  private CompletionStage<Outcome> ask(Request request,
      BiFunction<Integer, ActorRef<SlotEntity.Reply>, SlotEntity.Command> command) {
    List<CompletableFuture<SlotEntity.Reply>> asks = new ArrayList<>();
    for (int slot : request.slots()) {
      asks.add(askSlot(slot, command, ATTEMPTS).exceptionally(e -> new SlotEntity.Rejected(slot, "slot " + slot
          + ": no answer within " + timeout.toSeconds() + " s (it may still change)")).toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(v -> asks.stream().map(CompletableFuture::join).toList())
        .exceptionally(e -> List.of(new SlotEntity.Rejected(-1, "asking the slot actors failed: " + e)))
        .thenApply(replies -> outcome(request, replies));
  }

  /**
   * Asks one slot, again when an attempt gets no answer: sharding drops the messages it buffered for a
   * shard that is handed off to another node meanwhile (it rebalances when nodes join or leave), and
   * every command asked here is safe to repeat (a repeated one is answered with the slot's state).
   */
  private CompletionStage<SlotEntity.Reply> askSlot(int slot,
      BiFunction<Integer, ActorRef<SlotEntity.Reply>, SlotEntity.Command> command, int attemptsLeft) {
    CompletionStage<SlotEntity.Reply> ask = AskPattern.ask(slots,
        (ActorRef<SlotEntity.Reply> replyTo) -> SlotSharding.envelope(slot, command.apply(slot, replyTo)),
        timeout.dividedBy(ATTEMPTS), system.scheduler());
    if (attemptsLeft <= 1) {
      return ask;
    }
    return ask.handle((reply, error) -> reply != null ? CompletableFuture.completedStage(reply)
        : askSlot(slot, command, attemptsLeft - 1)).thenCompose(stage -> stage);
  }

  static Outcome outcome(Request m, List<SlotEntity.Reply> replies) {
    List<SlotInfo> done = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (SlotEntity.Reply r : replies) {
      if (r instanceof SlotEntity.Done d) {
        done.add(d.slot());
      } else if (r instanceof SlotEntity.Rejected x) {
        reasons.add(x.reason());
      }
    }
    done.sort(Comparator.comparingInt(SlotInfo::id));
    long maxEpoch = done.stream().mapToLong(SlotInfo::epoch).max().orElse(0);
    Predicate<Topology> visible = t -> done.stream().allMatch(s -> t.slot(s.id()).epoch() >= s.epoch());
    int asked = m.slots().size();
    if (reasons.isEmpty() && done.size() == asked) {
      return new Outcome(new Coordinator.SlotsChanged(done), visible, maxEpoch, m.replyTo());
    }
    String kept = done.isEmpty() ? "none changed"
        : done.size() + " of " + asked + " " + m.done() + " and stay so ("
            + SlotRanges.format(done.stream().map(SlotInfo::id).toList()) + ")";
    List<String> shown = reasons.subList(0, Math.min(REASONS_SHOWN, reasons.size()));
    String more = reasons.size() > shown.size() ? "; and " + (reasons.size() - shown.size()) + " more" : "";
    return new Outcome(new Failed(409, m.what() + ": " + kept + "; refused: " + String.join("; ", shown) + more),
        visible, maxEpoch, m.replyTo());
  }
}
