package dev.rekko.node.proxy;

import dev.rekko.node.stats.CommandStats;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;

/**
 * One command's place in its session's reply queue. Replies may complete out of order (different
 * backends, local answers) but leave in queue order. Completed on a backend I/O thread or on the
 * session's own; the volatile {@code done} publishes the reply bytes written before it.
 */
class Pending implements ReplyHandler {
  private final Session session;
  final CommandStats stats;
  final long startNanos;
  byte[] array;
  int offset;
  int length;
  boolean error;
  volatile boolean done;

  Pending(Session session, CommandStats stats, long startNanos) {
    this.session = session;
    this.stats = stats;
    this.startNanos = startNanos;
  }

  @Override
  public void onReply(Reply reply) {
    complete(reply.frameArray(), reply.frameOffset(), reply.frameLength(), reply.isError());
    session.signal();
  }

  @Override
  public void onFailure(String message) {
    completeError(message);
    session.signal();
  }

  /** Wakes the session after a completion made off its thread by someone other than a backend. */
  final void signalSession() {
    session.signal();
  }

  /** Completes with raw RESP bytes; does not signal (callers on the session's thread need not). */
  final void complete(byte[] bytes, int off, int len, boolean isError) {
    array = bytes;
    offset = off;
    length = len;
    error = isError;
    done = true;
  }

  final void complete(byte[] bytes) {
    complete(bytes, 0, bytes.length, bytes.length > 0 && bytes[0] == '-');
  }

  final void completeError(String message) {
    byte[] bytes = errorBytes(message);
    complete(bytes, 0, bytes.length, true);
  }

  static byte[] errorBytes(String message) {
    // Error texts built from client arguments hold one char per byte.
    return ("-" + message + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }
}
