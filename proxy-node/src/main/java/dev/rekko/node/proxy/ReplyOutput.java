package dev.rekko.node.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The write side of a {@link ClientCore}: completed replies at the head of the session's queue
 * leave in request order, merged into one write (up to 256 KiB; a bigger reply leaves alone, not
 * copied); what the socket does not take waits, and nothing is written before it. Every byte the
 * transport takes is released from the session's output buffer.
 *
 * <p>It also keeps the client's dispatch window: how many commands it may have in flight. A node
 * cannot know how big a reply will be before it comes, so a client that pipelines hundreds of GETs of
 * a large value and never reads would otherwise have them all requested at once, their replies
 * piling up in the node and in Redis. The window starts at {@link #START_WINDOW} commands and widens
 * by one for each reply the socket takes while the client owes no more than
 * {@code client-output-pause}, up to {@code max-pipeline}; it halves (not below the start) when a write
 * leaves the client owing more. A client that reads has its whole pipeline in flight after a round
 * trip or two; one that does not has a handful. Session thread only.
 */
final class ReplyOutput {
  /** Replies are merged into one write up to this size. */
  private static final int MAX_WRITE = 256 * 1024;
  /** Commands in flight a client starts with: more than a P=16 pipeline needs. */
  static final int START_WINDOW = 16;

  private final ClientTransport transport;
  private final Session session;
  private final OutputLimit outputLimit;
  private final long pause;
  private final int maxWindow;
  // The part of a write the socket did not take yet, and how many replies it holds.
  private ByteBuffer unsent;
  private int unsentReplies;
  private int window;
  // Whether the last buffer taken was one reply still inside a backend's read chunk.
  private boolean takenShared;
  private long lastOutputNanos;

  ReplyOutput(ClientTransport transport, Session session, OutputLimit outputLimit, long pause, int maxPipeline) {
    this.transport = transport;
    this.session = session;
    this.outputLimit = outputLimit;
    this.pause = pause;
    this.maxWindow = maxPipeline;
    this.window = Math.min(START_WINDOW, maxPipeline);
  }

  /** Commands the client may have in flight now. */
  int window() {
    return window;
  }

  /** A write is incomplete: the socket did not take all of it yet (or the outlet was not pulled again). */
  boolean blocked() {
    return unsent != null || !transport.writable();
  }

  /** When the socket last took bytes of an incomplete write, or refused the start of one. */
  long lastOutputNanos() {
    return unsent != null ? lastOutputNanos : transport.lastWriteNanos();
  }

  /** Writes every completed reply at the head of the queue, as far as the socket takes them. */
  void writeReady() throws IOException {
    ArrayDeque<Pending> queue = session.queue();
    while (unsent == null && transport.writable()) {
      int count = 0;
      long bytes = 0;
      for (Pending p : queue) {
        if (!p.done || (count > 0 && bytes + p.length > MAX_WRITE)) {
          break;
        }
        count++;
        bytes += p.length;
      }
      if (count == 0) {
        return;
      }
      ByteBuffer b = take(queue, count, bytes);
      write(b);
      if (b.hasRemaining()) {
        // It waits for the socket: a reply still in a backend's chunk would keep the whole chunk alive.
        unsent = takenShared ? ByteBuffer.wrap(java.util.Arrays.copyOfRange(b.array(),
            b.arrayOffset() + b.position(), b.arrayOffset() + b.limit())) : b;
        unsentReplies = count;
        lastOutputNanos = System.nanoTime();
      } else {
        written(count);
      }
    }
  }

  /** Goes on with an incomplete write (the socket is writable again). */
  void writeUnsent() throws IOException {
    if (unsent != null) {
      if (write(unsent) > 0) {
        lastOutputNanos = System.nanoTime();
      }
      if (!unsent.hasRemaining()) {
        unsent = null;
        written(unsentReplies);
      }
    }
  }

  /** Drops what waits (the connection closes). */
  void discard() {
    unsent = null;
  }

  private int write(ByteBuffer b) throws IOException {
    int n = transport.write(b);
    if (n > 0) {
      session.held().release(n);
      outputLimit.wrote(session.held().owed());
    }
    return n;
  }

  /** {@code replies} left completely: the window widens while the client keeps up, else narrows. */
  private void written(int replies) {
    if (pause == 0 || session.held().owed() <= pause) {
      window = (int) Math.min(maxWindow, (long) window + replies);
    } else {
      window = Math.max(Math.min(START_WINDOW, maxWindow), window / 2);
    }
  }

  private ByteBuffer take(ArrayDeque<Pending> queue, int count, long bytes) {
    long now = System.nanoTime();
    // What makes a command worth a look by the slow log or big keys (Observed): two reads per write.
    long slow = session.ctx().observe.slowLog().thresholdNanos();
    long big = session.ctx().observe.bigKeys().thresholdBytes();
    if (count == 1) {
      Pending p = queue.poll();
      observe(p, now - p.startNanos, slow, big);
      takenShared = p.array.length - p.length > Pending.COPY_SLACK;
      return ByteBuffer.wrap(p.array, p.offset, p.length);
    }
    takenShared = false;
    byte[] merged = new byte[(int) bytes];
    int pos = 0;
    for (int i = 0; i < count; i++) {
      Pending p = queue.poll();
      System.arraycopy(p.array, p.offset, merged, pos, p.length);
      pos += p.length;
      observe(p, now - p.startNanos, slow, big);
    }
    return ByteBuffer.wrap(merged, 0, pos);
  }

  private void observe(Pending p, long nanos, long slow, long big) {
    p.stats.record(nanos, p.error);
    if (p.error) {
      p.stats.failed(p.array, p.offset, p.length);
    }
    if (nanos >= slow || p.length > big) {
      Observed.completed(session, p, nanos);
    }
  }
}
