package dev.rekko.coordinator;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/** Asks slot actors, all at once, to change (take a group, start migrating), and sums up their answers. */
final class SlotAsks {
  private static final int REASONS_SHOWN = 10;

  private SlotAsks() {}

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
   */
  record Outcome(Result result, Predicate<Topology> visible, long maxEpoch) {}

  /** One answer per slot, in the request's order; a slot that does not answer in time is a rejection. */
  static CompletionStage<List<SlotEntity.Reply>> ask(ActorSystem<?> system,
      ActorRef<ShardingEnvelope<SlotEntity.Command>> slots, List<Integer> ids,
      BiFunction<Integer, ActorRef<SlotEntity.Reply>, SlotEntity.Command> command, Duration timeout) {
    List<CompletableFuture<SlotEntity.Reply>> asks = new ArrayList<>();
    for (int slot : ids) {
      CompletionStage<SlotEntity.Reply> ask = AskPattern.ask(slots,
          (ActorRef<SlotEntity.Reply> replyTo) -> SlotSharding.envelope(slot, command.apply(slot, replyTo)),
          timeout, system.scheduler());
      asks.add(ask.exceptionally(e -> new SlotEntity.Rejected(slot, "slot " + slot + ": no answer within "
          + timeout.toSeconds() + " s (it may still change)")).toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(v -> asks.stream().map(CompletableFuture::join).toList());
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
      return new Outcome(new Coordinator.SlotsChanged(done), visible, maxEpoch);
    }
    String kept = done.isEmpty() ? "none changed"
        : done.size() + " of " + asked + " " + m.done() + " and stay so ("
            + SlotRanges.format(done.stream().map(SlotInfo::id).toList()) + ")";
    List<String> shown = reasons.subList(0, Math.min(REASONS_SHOWN, reasons.size()));
    String more = reasons.size() > shown.size() ? "; and " + (reasons.size() - shown.size()) + " more" : "";
    return new Outcome(new Failed(409, m.what() + ": " + kept + "; refused: " + String.join("; ", shown) + more),
        visible, maxEpoch);
  }
}
