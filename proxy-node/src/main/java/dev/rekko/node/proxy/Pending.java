package dev.rekko.node.proxy;

import dev.rekko.node.stats.CommandStats;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;

/**
 * One command's place in its session's reply queue. Replies may complete out of order (different
 * backends, local answers) but leave in queue order. Completed on a backend I/O thread or on the
 * session's own; the volatile {@code done} publishes the reply bytes written before it.
 *
 * <p>Every completion is charged to the session's output buffer ({@link SessionMemory#charge}); a reply
 * for a closed client is dropped at once. A backend reply is a slice of the 64 KiB chunk its
 * connection read, and keeps all of that chunk alive: when the client already owes replies (so this
 * one cannot be written in the same round), a slice much smaller than its chunk is copied out, so
 * that replies a slow client has not read pin only their own bytes. A client that keeps up writes its
 * replies straight from the chunks, uncopied.
 */
class Pending implements ReplyHandler {
  /** A slice is copied out when its chunk holds more than this beyond it. */
  static final int COPY_SLACK = 256;
  private static final byte[] NOTHING = new byte[0];

  private final Session session;
  final CommandStats stats;
  final long startNanos;
  byte[] array;
  int offset;
  int length;
  boolean error;
  volatile boolean done;
  /** CLIENT REPLY OFF or SKIP: the reply takes its place in order but no byte of it is written. */
  boolean silent;
  /** The command, for the slow log and big keys once its reply is written ({@link Observed}); null if none. */
  dev.rekko.protocol.Args request;
  /** The backend server the command was last sent to; null when the node answers it itself. */
  dev.rekko.redis.backend.BackendAddress backend;

  Pending(Session session, CommandStats stats, long startNanos) {
    this.session = session;
    this.stats = stats;
    this.startNanos = startNanos;
  }

  @Override
  public void onReply(Reply reply) {
    if (silent) {
      set(NOTHING, 0, 0, reply.isError());
      session.signal();
      return;
    }
    byte[] a = reply.frameArray();
    int off = reply.frameOffset();
    int len = reply.frameLength();
    long owes = session.held().charge(len);
    if (owes < 0) {
      return;
    }
    if (owes > len && a.length - len > COPY_SLACK) {
      a = java.util.Arrays.copyOfRange(a, off, off + len);
      off = 0;
    }
    set(a, off, len, reply.isError());
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
    if (silent) {
      set(NOTHING, 0, 0, isError);
    } else if (session.held().charge(len) >= 0) {
      set(bytes, off, len, isError);
    }
  }

  private void set(byte[] bytes, int off, int len, boolean isError) {
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
