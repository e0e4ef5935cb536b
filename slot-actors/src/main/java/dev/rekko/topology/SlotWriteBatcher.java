package dev.rekko.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;

/**
 * Coalesces the slot actors' single-slot writes on this node: per slot key, one Update is in flight at a
 * time, and the slots that wanted to be written meanwhile go together in the next one. A migration of
 * hundreds of slots otherwise costs one majority round trip per slot and step, and the Replicator works
 * through them one by one; batched, it is a few per key and step. Each slot keeps its own outcome: a
 * stale one fails alone, the others of its batch are written. The slots of a batch a majority confirmed
 * go to {@code confirmed} (the node's replica spreads them as hints, see {@link SlotHints}).
 *
 * <p>A key with nothing in flight does not write its first slot at once: the batch leaves through
 * {@code gather} (a few milliseconds later), so that the rest of a burst joins it. The 64 slot actors of a
 * key get a step's messages together, and without the pause the first of them went alone and the other 63
 * waited for its round trip: two writes a key and step instead of one.
 */
final class SlotWriteBatcher {
  private record Pending(SlotInfo slot, long basedOn, CompletableFuture<Done> done) {}

  private static final class Queue {
    final List<Pending> waiting = new ArrayList<>();
    boolean inFlight;
  }

  /** Runs one Update of a slot key with the given modify function. */
  interface Updater extends BiFunction<Key<LWWMap<Integer, SlotInfo>>,
      Function<LWWMap<Integer, SlotInfo>, LWWMap<Integer, SlotInfo>>, CompletionStage<Done>> {}

  /** Applies one slot written from the entry at epoch {@code basedOn}, or throws {@link StaleEpochException}. */
  interface Put {
    LWWMap<Integer, SlotInfo> apply(LWWMap<Integer, SlotInfo> map, String keyId, SlotInfo slot, long basedOn);
  }

  private final Queue[] queues = new Queue[TopologyKeys.SLOT_KEY_COUNT];
  private final Updater updater;
  private final Put put;
  private final Consumer<List<SlotInfo>> confirmed;
  private final Executor gather;

  /** @param gather runs a key's first batch once the burst it starts has had time to join it */
  SlotWriteBatcher(Updater updater, Put put, Consumer<List<SlotInfo>> confirmed, Executor gather) {
    this.updater = updater;
    this.put = put;
    this.confirmed = confirmed;
    this.gather = gather;
    for (int i = 0; i < queues.length; i++) {
      queues[i] = new Queue();
    }
  }

  CompletionStage<Done> put(SlotInfo slot, long basedOn) {
    int index = TopologyKeys.slotKeyIndex(slot.id());
    Queue q = queues[index];
    Pending p = new Pending(slot, basedOn, new CompletableFuture<>());
    boolean first;
    synchronized (q) {
      q.waiting.add(p);
      first = !q.inFlight;
      q.inFlight = true;
    }
    if (first) {
      gather.execute(() -> {
        List<Pending> batch;
        synchronized (q) {
          batch = take(q);
        }
        send(index, batch);
      });
    }
    return p.done();
  }

  private void send(int index, List<Pending> batch) {
    Key<LWWMap<Integer, SlotInfo>> key = TopologyKeys.slotKeys().get(index);
    Map<Integer, RuntimeException> refused = new ConcurrentHashMap<>();
    CompletionStage<Done> write;
    try {
      write = updater.apply(key, map -> {
        LWWMap<Integer, SlotInfo> next = map;
        for (Pending p : batch) {
          try {
            next = put.apply(next, key.id(), p.slot(), p.basedOn());
          } catch (StaleEpochException e) {
            refused.put(p.slot().id(), e);
          }
        }
        return next;
      });
    } catch (RuntimeException e) {
      write = CompletableFuture.failedFuture(e);
    }
    write.whenComplete((done, error) -> {
      if (error == null) {
        List<SlotInfo> written = new ArrayList<>(batch.size());
        for (Pending p : batch) {
          if (!refused.containsKey(p.slot().id())) {
            written.add(p.slot());
          }
        }
        if (!written.isEmpty()) {
          confirmed.accept(written);
        }
      }
      for (Pending p : batch) {
        RuntimeException stale = refused.get(p.slot().id());
        if (stale != null) {
          p.done().completeExceptionally(stale);
        } else if (error != null) {
          p.done().completeExceptionally(error);
        } else {
          p.done().complete(Done.getInstance());
        }
      }
      Queue q = queues[index];
      List<Pending> next = null;
      synchronized (q) {
        if (q.waiting.isEmpty()) {
          q.inFlight = false;
        } else {
          next = take(q);
        }
      }
      if (next != null) {
        send(index, next);
      }
    });
  }

  private static List<Pending> take(Queue q) {
    List<Pending> batch = new ArrayList<>(q.waiting);
    q.waiting.clear();
    return batch;
  }
}
