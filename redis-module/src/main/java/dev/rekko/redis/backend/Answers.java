package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.Reply;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The replies one read of a backend connection brought, matched to the handlers of their commands and
 * handed to them in order; with {@link DurableWrites durable writes} on, through it, which may hold some
 * until a WAIT answers. The connection's I/O thread only.
 */
final class Answers {
  /** Filled by the read, emptied by {@link #deliver} or {@link #drop}. */
  final List<Reply> replies = new ArrayList<>();
  private final List<ReplyHandler> handlers = new ArrayList<>();
  private final BitSet writes = new BitSet();
  private final DurableWrites durable;

  /** {@code durable}: null when durable writes are off. */
  Answers(DurableWrites durable) {
    this.durable = durable;
  }

  /** Takes the handlers of the replies read off the pipeline (under its lock); false: more replies than commands. */
  boolean match(Pipeline pipeline) {
    return pipeline.answered(replies.size(), handlers, writes);
  }

  /** Hands each reply matched to its handler, in order. */
  void deliver() {
    try {
      for (int i = 0; i < replies.size(); i++) {
        if (durable == null) {
          handlers.get(i).onReply(replies.get(i));
        } else {
          durable.deliver(handlers.get(i), replies.get(i), writes.get(i));
        }
      }
    } finally {
      clear();
    }
  }

  /** Forgets the replies read; returns the handlers they were matched to. */
  List<ReplyHandler> drop() {
    List<ReplyHandler> matched = List.copyOf(handlers);
    clear();
    return matched;
  }

  private void clear() {
    replies.clear();
    handlers.clear();
    writes.clear();
  }

  /**
   * The connection failed: replies held for a WAIT go out now, ahead of the commands that failed
   * unanswered; held writes fail with {@code error}.
   */
  void fail(String error) {
    if (durable != null) {
      durable.fail(error);
    }
  }
}
