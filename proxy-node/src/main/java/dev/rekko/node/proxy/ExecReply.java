package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;

/**
 * EXEC's reply (or failure) to the client. A failure before the block went out (a hold that timed out,
 * a move of the keys that failed; on the session's thread) also ends the WATCH round.
 */
final class ExecReply implements ReplyHandler {
  private static final byte[] NIL2 = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NIL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Session session;
  private final Pending p;
  private final Watch.Watched watched;

  ExecReply(Session session, Pending p, Watch.Watched watched) {
    this.session = session;
    this.p = p;
    this.watched = watched;
  }

  @Override
  public void onReply(Reply reply) {
    p.onReply(reply);
  }

  @Override
  public void onFailure(String error) {
    p.onFailure(error);
  }

  /** For {@link Deferred}: a failure before the block went out (session thread) also ends the round. */
  ReplyHandler beforeSend() {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        ExecReply.this.onReply(reply);
      }

      @Override
      public void onFailure(String error) {
        fail(error);
      }
    };
  }

  /** A watched key may have changed where the WATCH could not see it: Redis's nil EXEC. */
  void nil() {
    p.complete(session.protocol() == 3 ? NIL3 : NIL2);
    p.signalSession();
    finish();
  }

  /** Answered on the session's thread, the block not sent: the round ends, keys maybe still watched. */
  void fail(String error) {
    p.completeError(error);
    p.signalSession();
    finish();
  }

  private void finish() {
    if (watched != null) {
      watched.finish(true);
    }
  }
}
