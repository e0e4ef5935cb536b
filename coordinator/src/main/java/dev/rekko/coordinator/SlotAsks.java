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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/** Asks slot actors, all at once, to take a group, and sums up their answers. */
final class SlotAsks {
  private static final int REASONS_SHOWN = 10;

  private SlotAsks() {}

  /**
   * The answer, and when the node's replica shows it.
   *
   * @param maxEpoch the highest epoch a slot actor wrote (at least the one asked for)
   */
  record Outcome(Result result, Predicate<Topology> visible, long maxEpoch) {}

  /** One answer per slot of the range, in slot order; a slot that does not answer in time is a rejection. */
  static CompletionStage<List<SlotEntity.Reply>> assign(ActorSystem<?> system,
      ActorRef<ShardingEnvelope<SlotEntity.Command>> slots, AssignSlots m, long epoch, Duration timeout) {
    List<CompletableFuture<SlotEntity.Reply>> asks = new ArrayList<>();
    for (int s = m.from(); s <= m.to(); s++) {
      int slot = s;
      CompletionStage<SlotEntity.Reply> ask = AskPattern.ask(slots,
          (ActorRef<SlotEntity.Reply> replyTo) -> SlotSharding.envelope(slot,
              new SlotEntity.Assign(m.group(), epoch, replyTo)),
          timeout, system.scheduler());
      asks.add(ask.exceptionally(e -> new SlotEntity.Rejected(slot, "slot " + slot + ": no answer within "
          + timeout.toSeconds() + " s (it may still take the group)")).toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(v -> asks.stream().map(CompletableFuture::join).toList());
  }

  static Outcome outcome(AssignSlots m, List<SlotEntity.Reply> replies) {
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
    int asked = m.to() - m.from() + 1;
    if (reasons.isEmpty() && done.size() == asked) {
      return new Outcome(new Coordinator.SlotsChanged(done), visible, maxEpoch);
    }
    String kept = done.isEmpty() ? "none was assigned"
        : done.size() + " of " + asked + " were assigned to group " + m.group() + " and stay so ("
            + SlotRanges.format(done.stream().map(SlotInfo::id).toList()) + ")";
    List<String> shown = reasons.subList(0, Math.min(REASONS_SHOWN, reasons.size()));
    String more = reasons.size() > shown.size() ? "; and " + (reasons.size() - shown.size()) + " more" : "";
    return new Outcome(new Failed(409, "assigning slots " + m.from() + "-" + m.to() + " to group " + m.group()
        + ": " + kept + "; refused: " + String.join("; ", shown) + more), visible, maxEpoch);
  }
}
