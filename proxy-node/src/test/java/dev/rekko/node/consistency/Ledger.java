package dev.rekko.node.consistency;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The books: what the clients know about every key, shared between the client threads (writers)
 * and the verifier (reader, possibly while the clients run).
 *
 * <p>An operation moves from "in flight" to exactly one of acked, in doubt or failed. The writer
 * records the destination <em>before</em> it leaves "in flight", and a verifier reads "in flight"
 * <em>before</em> the destinations, so a concurrent move can only be counted twice (a looser upper
 * bound), never missed (which would report a correct value as extra).
 */
final class Ledger {
  private final AtomicLongArray counterAcked;
  private final AtomicLongArray counterInDoubt;
  private final AtomicLongArray counterInFlight;
  /** Last acknowledged version per register, 0 = none. */
  private final AtomicLongArray registerAcked;
  /** Highest version sent per register; set before the SET leaves. */
  private final AtomicLongArray registerAttempted;
  /** Versions sent after the last acknowledged one whose fate is unknown. */
  private final List<NavigableSet<Long>> registerInDoubt;

  Ledger(int counters, int registers) {
    counterAcked = new AtomicLongArray(counters);
    counterInDoubt = new AtomicLongArray(counters);
    counterInFlight = new AtomicLongArray(counters);
    registerAcked = new AtomicLongArray(registers);
    registerAttempted = new AtomicLongArray(registers);
    registerInDoubt = new ArrayList<>(registers);
    for (int i = 0; i < registers; i++) {
      registerInDoubt.add(new ConcurrentSkipListSet<>());
    }
  }

  // ---- counters: written by any client ----

  void incrSent(int c) {
    counterInFlight.incrementAndGet(c);
  }

  void incrAcked(int c) {
    counterAcked.incrementAndGet(c);
    counterInFlight.decrementAndGet(c);
  }

  void incrInDoubt(int c) {
    counterInDoubt.incrementAndGet(c);
    counterInFlight.decrementAndGet(c);
  }

  /** An error reply: the increment did not happen. */
  void incrFailed(int c) {
    counterInFlight.decrementAndGet(c);
  }

  /** Increments every reader must see from now on. */
  long counterLowerBound(int c) {
    return counterAcked.get(c);
  }

  /** Increments that may have happened so far; read after the value was read. */
  long counterUpperBound(int c) {
    long inFlight = counterInFlight.get(c);
    long inDoubt = counterInDoubt.get(c);
    return inFlight + inDoubt + counterAcked.get(c);
  }

  long counterAcked(int c) {
    return counterAcked.get(c);
  }

  long counterInDoubt(int c) {
    return counterInDoubt.get(c);
  }

  // ---- registers: written by their owner only ----

  /** The version the owner sends next. */
  long nextVersion(int r) {
    return registerAttempted.incrementAndGet(r);
  }

  void setAcked(int r, long version) {
    registerAcked.set(r, version);
    // Versions sent before an acknowledged one are settled: a later write overwrote them (or a
    // delayed one overwrote it, which verification reports as lost).
    registerInDoubt.get(r).headSet(version, true).clear();
  }

  void setInDoubt(int r, long version) {
    registerInDoubt.get(r).add(version);
  }

  long registerAcked(int r) {
    return registerAcked.get(r);
  }

  long registerAttempted(int r) {
    return registerAttempted.get(r);
  }

  boolean registerInDoubt(int r, long version) {
    return registerInDoubt.get(r).contains(version);
  }

  String registerInDoubtText(int r) {
    return registerInDoubt.get(r).toString();
  }
}
