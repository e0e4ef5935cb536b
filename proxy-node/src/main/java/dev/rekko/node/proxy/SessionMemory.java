package dev.rekko.node.proxy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the node holds for one client, in bytes, as {@link ClientMemory} counts it: replies received
 * but not yet written to its socket (its output buffer), and input not yet parsed (its query buffer).
 * Replies are charged by whichever thread completes them and released by the session's thread as the
 * socket takes their bytes; once the client is closed, or marked for closing by the node's budget,
 * charges fail and the replies are dropped at once.
 */
final class SessionMemory {
  /** What {@link #owed} holds once the connection is closed: far below zero, so a late charge sees it. */
  private static final long CLOSED = Long.MIN_VALUE / 2;

  private final ClientMemory node;
  private final Runnable wake;
  private final AtomicLong owed = new AtomicLong();
  private volatile long queryBytes;
  /** Set when the node decided to close this client (memory eviction); replies are dropped from then on. */
  private volatile boolean doomed;
  // Guarded by owed's monitor.
  private long doomedBytes;

  SessionMemory(ClientMemory node, Runnable wake) {
    this.node = node;
    this.wake = wake;
  }

  /**
   * Charges a reply of {@code n} bytes that arrived for this client; any thread. Returns what the
   * client owes now, or -1 when it is closed or being closed: the reply is then to be dropped.
   */
  long charge(long n) {
    if (doomed) {
      return -1;
    }
    long after = owed.addAndGet(n);
    if (after < 0) {
      owed.addAndGet(-n);
      return -1;
    }
    node.add(n);
    return after;
  }

  /** {@code n} owed bytes went out to the socket; session thread. */
  void release(long n) {
    owed.addAndGet(-n);
    node.add(-n);
  }

  /** Reply bytes received and not yet written (0 once closed). */
  long owed() {
    return Math.max(0, owed.get());
  }

  long queryBytes() {
    return queryBytes;
  }

  /** The query buffer now holds {@code n} bytes; session thread. */
  void queryBuffer(long n) {
    long before = queryBytes;
    if (n != before) {
      queryBytes = n;
      node.add(n - before);
    }
  }

  /** Everything held for this client. */
  long total() {
    return owed() + queryBytes;
  }

  boolean doomed() {
    return doomed;
  }

  /**
   * Marks this client for closing by its own thread (any thread may call this), counting {@code bytes}
   * as about to be freed, and wakes it. False when it is closed or marked already.
   */
  boolean doom(long bytes) {
    return doom(bytes, () -> { });
  }

  /**
   * As {@link #doom(long)}, running {@code announce} (once, when this call marked it) before the client
   * can close: whoever sees the close or the memory it frees also sees what announce recorded.
   */
  boolean doom(long bytes, Runnable announce) {
    synchronized (owed) {
      if (doomed) {
        return false;
      }
      doomedBytes = bytes;
      doomed = true;
      node.dooming(bytes);
      // Under the lock close() takes before it frees anything: rare, and it orders the line first.
      announce.run();
    }
    wake.run();
    return true;
  }

  /** The connection closed: gives back everything charged; later charges fail. Session thread. */
  void close() {
    synchronized (owed) {
      doomed = true;
      if (doomedBytes > 0) {
        node.dooming(-doomedBytes);
        doomedBytes = 0;
      }
    }
    long o = owed.getAndSet(CLOSED);
    node.add(-Math.max(0, o) - queryBytes);
    queryBytes = 0;
  }
}
