package dev.rekko.redis.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import tlschannel.WouldBlockException;

/**
 * The commands of one backend connection: those sent and not answered yet (first in, first answered),
 * the encoded ones still waiting for the socket, and those held until the handshake has been answered.
 * Writes are gathering writes as far as the socket takes them; the rest waits for write readiness.
 * With {@link DurableWrites durable writes} it also knows which commands are writes, and puts one WAIT
 * behind every socket write that carries a write. Guarded by the connection's lock.
 *
 * <p>Over TLS the channel is a {@code TlsChannel}, which says "socket full" by throwing instead of leaving
 * bytes in the buffers, and may hold encrypted bytes of its own after it has taken all of ours: then the
 * pipeline is {@code stalled} and asks for write readiness with nothing of its own left to write.
 *
 * <p>With {@link BackendTimings} it keeps each pending command's send time ({@link SendTimes}) and reports
 * the time to its reply; without, it keeps nothing.
 */
final class Pipeline {
  private static final int MAX_GATHER = 64;
  private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
  private final ArrayDeque<ReplyHandler> pending = new ArrayDeque<>();
  private final ArrayDeque<ByteBuffer> held = new ArrayDeque<>();
  private final ArrayDeque<ReplyHandler> heldHandlers = new ArrayDeque<>();
  private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
  private boolean writeInterest;
  // TLS only: the TLS channel holds encrypted bytes the socket did not take yet.
  private boolean stalled;
  private long oldestSince;
  // Null when durable writes are off; else whether each pending (held) command is a write, and whether a
  // write was queued to go out since the last WAIT.
  private final DurableWrites durable;
  private final ArrayDeque<Boolean> writes;
  private final ArrayDeque<Boolean> heldWrites;
  private boolean unconfirmed;
  // Null when nothing is measured.
  private final BackendTimings timings;
  private final SendTimes times;

  Pipeline(DurableWrites durable) {
    this(durable, BackendTimings.NONE);
  }

  Pipeline(DurableWrites durable, BackendTimings timings) {
    this.durable = durable;
    this.writes = durable == null ? null : new ArrayDeque<>();
    this.heldWrites = durable == null ? null : new ArrayDeque<>();
    this.timings = timings == BackendTimings.NONE ? null : timings;
    this.times = this.timings == null ? null : new SendTimes();
  }

  /** Queues a command to be written now, not a write. */
  void add(ByteBuffer command, ReplyHandler handler) {
    add(command, handler, false);
  }

  /** Queues a command to be written now; {@code write}: a write command, for durable writes. */
  void add(ByteBuffer command, ReplyHandler handler, boolean write) {
    if (pending.isEmpty()) {
      oldestSince = System.nanoTime();
    }
    out.add(command);
    pending.add(handler);
    if (times != null) {
      times.added(1);
    }
    if (writes != null) {
      writes.add(write);
      unconfirmed |= write;
    }
  }

  /** Keeps a command back until {@link #release}. */
  void hold(ByteBuffer command, ReplyHandler handler, boolean write) {
    held.add(command);
    heldHandlers.add(handler);
    if (heldWrites != null) {
      heldWrites.add(write);
    }
  }

  /** What was held goes behind what is queued. */
  void release() {
    if (pending.isEmpty() && !heldHandlers.isEmpty()) {
      oldestSince = System.nanoTime();
    }
    out.addAll(held);
    pending.addAll(heldHandlers);
    if (times != null) {
      times.added(heldHandlers.size());
    }
    held.clear();
    heldHandlers.clear();
    if (writes != null) {
      unconfirmed |= heldWrites.contains(Boolean.TRUE);
      writes.addAll(heldWrites);
      heldWrites.clear();
    }
  }

  boolean idle() {
    return pending.isEmpty();
  }

  int inFlight() {
    return pending.size();
  }

  /** How long the oldest unanswered command may wait, beyond {@code usual} if it asked for more. */
  long replyLimit(long usual) {
    return pending.isEmpty() ? usual : Math.max(usual, pending.peekFirst().replyTimeoutNanos());
  }

  /** When the pipeline last made progress (the oldest command was sent, or a reply came). */
  long oldestSince() {
    return oldestSince;
  }

  /**
   * The handlers of the next {@code n} replies into {@code into}, and which of them are writes into {@code
   * writesInto} (durable writes only); false if fewer commands were waiting.
   */
  boolean answered(int n, List<ReplyHandler> into, BitSet writesInto) {
    long now = System.nanoTime();
    oldestSince = now;
    for (int i = 0; i < n; i++) {
      ReplyHandler h = pending.pollFirst();
      if (h == null) {
        return false;
      }
      if (times != null) {
        long sent = times.poll();
        if (sent != SendTimes.NOT_SENT) {
          timings.replied(now - sent);
        }
      }
      if (writes != null && writes.pollFirst()) {
        writesInto.set(into.size());
      }
      into.add(h);
    }
    return true;
  }

  /** Empties everything (the socket failed); returns the handlers that will get no reply. */
  List<ReplyHandler> clear() {
    List<ReplyHandler> failed = new ArrayList<>(pending);
    failed.addAll(heldHandlers);
    pending.clear();
    heldHandlers.clear();
    held.clear();
    out.clear();
    writeInterest = false;
    stalled = false;
    if (times != null) {
      times.clear();
    }
    if (writes != null) {
      writes.clear();
      heldWrites.clear();
      unconfirmed = false;
    }
    return failed;
  }

  /** True while the socket is full and the selector writes the rest. */
  boolean waitingForSocket() {
    return writeInterest;
  }

  boolean nothingToWrite() {
    return out.isEmpty();
  }

  /** A TLS read must write first (a TLS message to answer) and the socket is full: wait for write readiness. */
  void stallForTls(SelectionKey key, BackendIo io) {
    stalled = true;
    if (!writeInterest) {
      writeInterest = true;
      key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      if (!io.inLoop()) {
        io.selector().wakeup();
      }
    }
  }

  void write(GatheringByteChannel channel, SelectionKey key, BackendIo io) throws IOException {
    if (unconfirmed) {
      // Behind every write that goes out now, and Redis answers it once a replica has all of them.
      unconfirmed = false;
      add(durable.waitCommand(), durable.confirmation, false);
    }
    if (times != null && times.anyUnstamped()) {
      times.stamp(System.nanoTime());
    }
    boolean socketFull = false;
    while (!socketFull && (!out.isEmpty() || stalled)) {
      int n = 0;
      for (ByteBuffer b : out) {
        gather[n++] = b;
        if (n == MAX_GATHER) {
          break;
        }
      }
      try {
        channel.write(gather, 0, n);
        stalled = false;
        socketFull = n > 0 && gather[n - 1].hasRemaining();
      } catch (WouldBlockException e) {
        // TLS: what it took is encrypted and partly written; the rest waits in the TLS channel.
        stalled = true;
        socketFull = true;
      }
      java.util.Arrays.fill(gather, 0, n, null);
      while (!out.isEmpty() && !out.peekFirst().hasRemaining()) {
        out.pollFirst();
      }
    }
    boolean want = !out.isEmpty() || stalled;
    if (want != writeInterest) {
      writeInterest = want;
      key.interestOps(want ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
      if (want && !io.inLoop()) {
        io.selector().wakeup();
      }
    }
  }
}
