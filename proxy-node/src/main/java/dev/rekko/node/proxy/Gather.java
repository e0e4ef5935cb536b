package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.backend.ReplyHandler;

/**
 * Collects the replies of a command sent in parts to several backends (split or fan-out) and
 * completes the client's {@link Pending} once the last part answered. The first failure or error
 * reply of any part becomes the command's reply, as one Redis would answer one error.
 */
abstract class Gather {
  protected final Pending target;
  protected final Reply[] replies;
  protected final String[] failures;
  private int outstanding;

  Gather(Pending target, int parts) {
    this.target = target;
    this.replies = new Reply[parts];
    this.failures = new String[parts];
    this.outstanding = parts;
  }

  /** The handler for part {@code part}; called on backend I/O threads or, when a backend is down, inline. */
  final ReplyHandler part(int part) {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        done(part, reply, null);
      }

      @Override
      public void onFailure(String error) {
        done(part, null, error);
      }
    };
  }

  /** Builds the merged reply from {@link #replies}, all of which are present and not errors. */
  abstract byte[] merge();

  /**
   * The error the client gets when part {@code part} failed or answered {@code error}; null (the default)
   * passes the part's own reply on unchanged.
   */
  String errorFor(int part, String error) {
    return null;
  }

  /** An error reply's text, without the leading {@code -} and the line end. */
  static String errorText(Reply r) {
    byte[] a = r.frameArray();
    int end = r.frameOffset() + r.frameLength();
    while (end > r.frameOffset() && (a[end - 1] == '\r' || a[end - 1] == '\n')) {
      end--;
    }
    return new String(a, r.frameOffset() + 1, end - r.frameOffset() - 1, java.nio.charset.StandardCharsets.UTF_8);
  }

  private void done(int part, Reply reply, String failure) {
    synchronized (this) {
      replies[part] = reply;
      failures[part] = failure;
      if (--outstanding > 0) {
        return;
      }
    }
    finish();
  }

  /**
   * Completes {@link #target} once every part answered: the first failure or error reply, else
   * {@link #merge()}. A command with another rule for its parts' answers overrides it.
   */
  void finish() {
    for (int i = 0; i < replies.length; i++) {
      if (failures[i] != null) {
        String e = errorFor(i, failures[i]);
        target.onFailure(e != null ? e : failures[i]);
        return;
      }
      if (replies[i].isError()) {
        String e = errorFor(i, errorText(replies[i]));
        if (e != null) {
          target.onFailure(e);
        } else {
          target.onReply(replies[i]);
        }
        return;
      }
    }
    byte[] bytes = merge();
    target.complete(bytes, 0, bytes.length, false);
    target.signalSession();
  }
}
