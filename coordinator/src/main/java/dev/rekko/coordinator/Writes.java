package dev.rekko.coordinator;

import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.coordinator.Coordinator.Result;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.StaleEpochException;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyWriteException;
import dev.rekko.topology.TopologyWriter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/** The coordinator's topology writes, each with the answer it leads to and how to tell it is visible. */
final class Writes {
  private Writes() {}

  /** An answer held until the node's replica shows what it reports. */
  record Pending(Predicate<Topology> visible, Result result, ActorRef<Result> replyTo) {}

  /** A write under way; {@code what} names the operation in failure messages. */
  record Write(CompletionStage<Done> stage, Pending pending, String what) {}

  static Write putGroup(TopologyWriter writer, GroupInfo group, ActorRef<Result> replyTo, String what) {
    Predicate<Topology> visible = t -> t.group(group.id()).map(g -> g.epoch() >= group.epoch()).orElse(false);
    return new Write(writer.putGroup(group), new Pending(visible, new Coordinator.GroupChanged(group), replyTo),
        what);
  }

  static Write removeGroup(TopologyWriter writer, int id, long epoch, ActorRef<Result> replyTo, String what) {
    Predicate<Topology> visible = t -> !t.groups().containsKey(id) && t.epoch() >= epoch;
    return new Write(writer.removeGroup(id, epoch), new Pending(visible, new Coordinator.GroupRemoved(id), replyTo),
        what);
  }

  /** The answer to a write that failed. */
  static Pending failed(Write write, Throwable error) {
    Throwable e = unwrap(error);
    ActorRef<Result> replyTo = write.pending().replyTo();
    if (e instanceof TopologyWriteException) {
      // Applied on this node and spreading: the change is real, so wait for it like for a success.
      return new Pending(write.pending().visible(), new Failed(503, write.what() + ": " + e.getMessage()), replyTo);
    }
    if (e instanceof StaleEpochException stale) {
      // Answered once this view holds the change the write lost to. Answered at once, a retry could start
      // from the view that lost, get a higher epoch and undo that change (seen with a group written
      // beside the coordinator).
      long current = stale.currentEpoch();
      return new Pending(t -> t.epoch() >= current, new Failed(409, write.what() + ": lost to a concurrent change, "
          + "nothing was written; retry (" + e.getMessage() + ")"), replyTo);
    }
    return new Pending(t -> true, new Failed(503, write.what() + " failed: " + e), replyTo);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
