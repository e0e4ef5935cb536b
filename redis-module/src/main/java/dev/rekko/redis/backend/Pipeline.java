package dev.rekko.redis.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands of one backend connection: those sent and not answered yet (first in, first answered),
 * the encoded ones still waiting for the socket, and those held until the handshake has been answered.
 * Writes are gathering writes as far as the socket takes them; the rest waits for write readiness.
 * Guarded by the connection's lock.
 */
final class Pipeline {
  private static final int MAX_GATHER = 64;
  private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
  private final ArrayDeque<ReplyHandler> pending = new ArrayDeque<>();
  private final ArrayDeque<ByteBuffer> held = new ArrayDeque<>();
  private final ArrayDeque<ReplyHandler> heldHandlers = new ArrayDeque<>();
  private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
  private boolean writeInterest;
  private long oldestSince;

  /** Queues a command to be written now. */
  void add(ByteBuffer command, ReplyHandler handler) {
    if (pending.isEmpty()) {
      oldestSince = System.nanoTime();
    }
    out.add(command);
    pending.add(handler);
  }

  /** Keeps a command back until {@link #release}. */
  void hold(ByteBuffer command, ReplyHandler handler) {
    held.add(command);
    heldHandlers.add(handler);
  }

  /** What was held goes behind what is queued. */
  void release() {
    if (pending.isEmpty() && !heldHandlers.isEmpty()) {
      oldestSince = System.nanoTime();
    }
    out.addAll(held);
    pending.addAll(heldHandlers);
    held.clear();
    heldHandlers.clear();
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

  /** The handlers of the next {@code n} replies into {@code into}; false if fewer commands were waiting. */
  boolean answered(int n, List<ReplyHandler> into) {
    oldestSince = System.nanoTime();
    for (int i = 0; i < n; i++) {
      ReplyHandler h = pending.pollFirst();
      if (h == null) {
        return false;
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
    return failed;
  }

  /** True while the socket is full and the selector writes the rest. */
  boolean waitingForSocket() {
    return writeInterest;
  }

  boolean nothingToWrite() {
    return out.isEmpty();
  }

  void write(SocketChannel channel, SelectionKey key, BackendIo io) throws IOException {
    while (!out.isEmpty()) {
      int n = 0;
      for (ByteBuffer b : out) {
        gather[n++] = b;
        if (n == MAX_GATHER) {
          break;
        }
      }
      channel.write(gather, 0, n);
      boolean socketFull = gather[n - 1].hasRemaining();
      java.util.Arrays.fill(gather, 0, n, null);
      while (!out.isEmpty() && !out.peekFirst().hasRemaining()) {
        out.pollFirst();
      }
      if (socketFull) {
        break;
      }
    }
    boolean want = !out.isEmpty();
    if (want != writeInterest) {
      writeInterest = want;
      key.interestOps(want ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
      if (want && !io.inLoop()) {
        io.selector().wakeup();
      }
    }
  }
}
