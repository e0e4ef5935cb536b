package dev.rekko.node.proxy;

import dev.rekko.node.stats.CommandStats;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.redis.pubsub.PubSubKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One session's pub/sub: what it is subscribed to (session thread only) and the inbox of messages the
 * node's {@link PubSubHub} delivered to it from a subscriber connection's thread. A message is charged to
 * the session's output buffer as it is delivered, so the client's output limits and the node's memory
 * budget see it at once; the session's thread moves the inbox into its reply queue as completed replies,
 * behind the replies owed before them. A message for a name the session no longer holds when it is moved
 * (it unsubscribed meanwhile) is dropped, so nothing of a channel follows its {@code unsubscribe}
 * confirmation — RESP2 clients would take it for the reply of their next command.
 */
final class SessionPubSub {
  /** Messages are not commands: nothing to record. */
  private static final CommandStats NO_STATS = (latency, error) -> { };
  private static final byte[] PONG = "*2\r\n$4\r\npong\r\n$0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** One published message on its way to the local subscribers of its name; shared by all of them. */
  static final class Delivery {
    final PubSubKind kind;
    final String name;
    final byte[] resp2;
    private volatile byte[] resp3;

    Delivery(PubSubKind kind, String name, byte[] resp2) {
      this.kind = kind;
      this.name = name;
      this.resp2 = resp2;
    }

    /** RESP2's array frame, or for RESP3 the same frame as a push ({@code >} for {@code *}). */
    byte[] frame(int protocol) {
      if (protocol != 3) {
        return resp2;
      }
      byte[] f = resp3;
      if (f == null) {
        f = resp2.clone();
        f[0] = '>';
        resp3 = f;
      }
      return f;
    }
  }

  private final Session session;
  private final Map<PubSubKind, LinkedHashSet<String>> names = new EnumMap<>(PubSubKind.class);
  private final ConcurrentLinkedQueue<Delivery> inbox = new ConcurrentLinkedQueue<>();

  SessionPubSub(Session session) {
    this.session = session;
    for (PubSubKind k : PubSubKind.values()) {
      names.put(k, new LinkedHashSet<>());
    }
  }

  Session session() {
    return session;
  }

  /** The names of {@code kind} it holds, in subscription order; session thread only. */
  LinkedHashSet<String> names(PubSubKind kind) {
    return names.get(kind);
  }

  /**
   * The count Redis puts in a confirmation: channels plus patterns for those two kinds, shard channels
   * alone for shard channels.
   */
  int count(PubSubKind kind) {
    return kind == PubSubKind.SHARD ? names.get(kind).size()
        : names.get(PubSubKind.CHANNEL).size() + names.get(PubSubKind.PATTERN).size();
  }

  /** Subscribed to anything: RESP2's subscribed state (and no idle timeout, as in Redis). */
  boolean subscribed() {
    return !names.get(PubSubKind.CHANNEL).isEmpty() || !names.get(PubSubKind.PATTERN).isEmpty()
        || !names.get(PubSubKind.SHARD).isEmpty();
  }

  /** A message for this session; the subscriber connection's thread. Dropped once the client is closing. */
  void deliver(Delivery d) {
    if (session.held().charge(d.resp2.length) < 0) {
      return;
    }
    inbox.add(d);
    session.signal();
  }

  /** Moves the inbox into the reply queue, behind what is owed already; session thread. */
  void drainInbox() {
    Delivery d;
    while ((d = inbox.poll()) != null) {
      byte[] frame = d.frame(session.protocol());
      // Charged on delivery: the completion charges it again.
      session.held().release(frame.length);
      if (!names.get(d.kind).contains(d.name)) {
        continue;
      }
      Pending p = new Pending(session, NO_STATS, System.nanoTime());
      p.complete(frame);
      if (p.done) {
        session.queue().add(p);
      }
    }
  }

  /**
   * In RESP2's subscribed state only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET may run, and
   * PING answers as a message would: true when this answered {@code cmd} (refused it, or PING).
   */
  boolean refuses(Command cmd, CommandSpec spec, Pending p) {
    if (session.protocol() != 2 || !subscribed()) {
      return false;
    }
    switch (spec.name()) {
      case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "quit",
          "reset" -> {
        return false;
      }
      case "ping" -> {
        if (cmd.argc() > 2) {
          return false;
        }
        if (cmd.argc() == 1) {
          p.complete(PONG);
        } else {
          p.complete(new dev.rekko.protocol.resp.RespWriter(32).writeArrayHeader(2).writeBulk("pong")
              .writeBulk(cmd.array(1), cmd.offset(1), cmd.length(1)).toByteArray());
        }
        return true;
      }
      default -> {
        p.completeError("ERR Can't execute '" + spec.name()
            + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
        return true;
      }
    }
  }

  /** RESET or close: every subscription dropped, here and in the hub. */
  void dropAll() {
    for (PubSubKind k : PubSubKind.values()) {
      LinkedHashSet<String> held = names.get(k);
      if (!held.isEmpty()) {
        List<String> all = new ArrayList<>(held);
        held.clear();
        session.ctx().pubsub.unsubscribe(k, this, all);
      }
    }
  }

  /** The connection closed: subscriptions dropped; what the inbox holds was given back with the rest. */
  void closed() {
    dropAll();
    inbox.clear();
  }
}
