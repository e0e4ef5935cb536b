package dev.rekko.redis.backend;

import java.io.IOException;
import java.util.List;

/**
 * The read side of a {@link BackendConnection}: what its current {@link BackendSocket} brought, decoded,
 * matched to the handlers of the commands waiting in its {@link Pipeline} (under the connection's lock)
 * and handed to them in order ({@link Answers}). The connection's I/O thread only.
 */
final class ReplyReader {
  /** {@link #read}: more replies came than commands were waiting for; {@link #orphans} has their handlers. */
  static final int UNEXPECTED = -2;

  private final BackendIo io;
  private final Object lock;
  private final Pipeline pipeline;
  private final Answers answers;
  private final Reconnects reconnects;

  ReplyReader(BackendIo io, Object lock, Pipeline pipeline, Answers answers, Reconnects reconnects) {
    this.io = io;
    this.lock = lock;
    this.pipeline = pipeline;
    this.answers = answers;
    this.reconnects = reconnects;
  }

  /**
   * Reads what the socket has now and delivers the replies: {@link BackendIo#CLOSED} (the server closed
   * the connection; replies read before are dropped), {@link #UNEXPECTED}, or what the socket's read said
   * ({@link BackendIo#MORE}: read again in a later round).
   */
  int read(BackendSocket s) throws IOException {
    int result = s.read(io, answers.replies);
    if (result == BackendIo.CLOSED) {
      answers.drop();
      return result;
    }
    if (result == BackendIo.NEEDS_WRITE) {
      synchronized (lock) {
        pipeline.stallForTls(s.key, io);
      }
    }
    if (answers.replies.isEmpty()) {
      return result;
    }
    reconnects.active(System.nanoTime());
    boolean expected;
    synchronized (lock) {
      expected = answers.match(pipeline);
    }
    if (!expected) {
      return UNEXPECTED;
    }
    answers.deliver();
    return result;
  }

  /** After {@link #UNEXPECTED}: the handlers the replies read were matched to, which get no reply now. */
  List<ReplyHandler> orphans() {
    return answers.drop();
  }

  /** The connection failed: replies held for a WAIT go out, held writes fail ({@link Answers#fail}). */
  void failed(String error) {
    answers.fail(error);
  }
}
