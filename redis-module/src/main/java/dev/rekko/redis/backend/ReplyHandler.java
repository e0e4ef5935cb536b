package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.Reply;

/**
 * Receives the answer to one command sent on a {@link BackendConnection}. Called on a backend I/O
 * thread: implementations must be quick and must not block (store the reply, signal the owner).
 */
public interface ReplyHandler {
  void onReply(Reply reply);

  /**
   * The command got no reply: the connection is down, failed or timed out; or, with durable writes, it was
   * a write that no replica confirmed ({@link DurableWrites}). {@code error} is a Redis error text.
   */
  void onFailure(String error);

  /**
   * How long this command may go unanswered before its connection is called dead, when that is longer
   * than the connection's receive timeout (a MIGRATE of a big key); 0 for the receive timeout.
   */
  default long replyTimeoutNanos() {
    return 0;
  }
}
