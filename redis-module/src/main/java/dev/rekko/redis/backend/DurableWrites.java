package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Durable writes on one backend connection ({@link BackendOptions#durableWrites()}): a write command is
 * answered only once a replica has it, so a master that dies loses no write a client was told is done —
 * provided failover promotes a replica that has it (with one replica per group, the one that confirmed;
 * with more, the one with the highest replication offset). Which commands are writes the caller says
 * ({@link BackendConnection#send(byte[], int, int, ReplyHandler, boolean)}).
 *
 * <p><b>One WAIT per write.</b> When a socket write carries at least one write command, the {@link
 * Pipeline} puts one {@code WAIT 1 <timeout-ms>} behind it: one per connection per round, however many
 * writes the round holds. Redis's WAIT waits for the replication offset of the connection's last write, so
 * one confirms every write sent on the connection before it. A round of reads only sends no WAIT.
 *
 * <p><b>Held replies.</b> From the reply of a write on, every reply on the connection is held until the
 * next WAIT has answered, reads too. Clients would get their replies in request order anyway (a
 * session orders its own), but holding keeps the connection's completions first in, first out, as
 * without durable writes, and keeps a read sent behind a write from showing the write's value before
 * the write is confirmed. Reads before the round's first write go at once. It costs the reads of a round
 * with writes one replica round trip, and Redis itself runs nothing sent behind a WAIT before the WAIT
 * answers, so the rounds after one wait for it too.
 *
 * <p><b>Answers.</b> WAIT says 1: every held reply goes to its handler. WAIT says 0 (no replica
 * confirmed within the timeout) or fails: each held write whose reply is not an error fails with
 * {@value #NOT_CONFIRMED} (Redis's own text for {@code min-replicas-to-write}); the write <i>did</i> run
 * on the master, and may survive or not, so the client must treat it as unknown, like a timeout. Held
 * reads and writes answered with an error get their own replies. When the connection fails, held
 * writes fail with its error. The WAIT's own reply goes to no client.
 *
 * <p>Not covered: keys a migration moves ({@code MIGRATE}, {@code RESTORE}) land on the target through the
 * source's own connection, which no WAIT of ours waits for. A group without a replica fails every write
 * this way: turn durable writes on only when every group has one. An ACL user needs {@code +wait}.
 *
 * <p>Called on the connection's I/O thread only, except {@link #waitCommand} (under its lock).
 */
final class DurableWrites {
  /** Held writes that no replica confirmed fail with this. */
  static final String NOT_CONFIRMED = "NOREPLICAS Not enough good replicas to write.";

  private final byte[] wait;
  private final long waitReplyNanos;
  /** The handler the pipeline queues with each WAIT; only recognised, never called with a reply. */
  final ReplyHandler confirmation = new ReplyHandler() {
    @Override
    public void onReply(Reply reply) {}

    @Override
    public void onFailure(String error) {}

    /** Redis answers a WAIT only after up to its timeout. */
    @Override
    public long replyTimeoutNanos() {
      return waitReplyNanos;
    }
  };

  // The replies held since the first write that a WAIT has not answered yet, in order.
  private final List<ReplyHandler> heldHandlers = new ArrayList<>();
  private final List<Reply> heldReplies = new ArrayList<>();
  private final BitSet heldWrites = new BitSet();

  private DurableWrites(BackendOptions options) {
    long millis = Math.max(1, (options.durableWrites().toNanos() + 999_999) / 1_000_000);
    this.wait = Handshake.encode("WAIT", "1", Long.toString(millis));
    this.waitReplyNanos = options.receiveTimeout().toNanos() + millis * 1_000_000;
  }

  /** Null when durable writes are off. */
  static DurableWrites of(BackendOptions options) {
    return options.durable() ? new DurableWrites(options) : null;
  }

  /** A fresh {@code WAIT 1 <timeout-ms>} to write. */
  ByteBuffer waitCommand() {
    return ByteBuffer.wrap(wait);
  }

  /** The reply to a command sent on the connection, in order; {@code write}: it was sent as a write. */
  void deliver(ReplyHandler handler, Reply reply, boolean write) {
    if (handler == confirmation) {
      release(confirmed(reply));
    } else if (write || !heldHandlers.isEmpty()) {
      if (write) {
        heldWrites.set(heldHandlers.size());
      }
      heldHandlers.add(handler);
      heldReplies.add(reply);
    } else {
      handler.onReply(reply);
    }
  }

  /** The connection failed: held writes are not confirmed and fail with {@code error}. */
  void fail(String error) {
    release(error);
  }

  /** Null when WAIT says a replica has the writes, else why not. */
  private static String confirmed(Reply reply) {
    RespValue v = reply.value();
    if (v instanceof RespValue.Integer n) {
      return n.value() >= 1 ? null : NOT_CONFIRMED;
    }
    return NOT_CONFIRMED + " WAIT answered " + (reply.isError() ? Handshake.errorText(reply) : v);
  }

  private void release(String writeError) {
    try {
      for (int i = 0; i < heldHandlers.size(); i++) {
        Reply r = heldReplies.get(i);
        if (writeError != null && heldWrites.get(i) && !r.isError()) {
          heldHandlers.get(i).onFailure(writeError);
        } else {
          heldHandlers.get(i).onReply(r);
        }
      }
    } finally {
      heldHandlers.clear();
      heldReplies.clear();
      heldWrites.clear();
    }
  }
}
