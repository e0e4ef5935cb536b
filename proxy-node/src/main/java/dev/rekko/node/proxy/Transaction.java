package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.command.CommandFlag;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * MULTI … EXEC for one session, queued in the proxy: MULTI opens it, each later command is checked as
 * Redis checks it at queue time and answered {@code +QUEUED} (or with its error, which makes EXEC answer
 * {@code EXECABORT}), and EXEC sends {@code MULTI}, the queued commands and {@code EXEC} as one block that
 * no other command can split ({@code sendAll}) to the master of the transaction's slot, where Redis runs
 * it atomically. The client gets EXEC's own reply, untouched.
 *
 * <p>Every key (and every WATCHed key, {@link Watch}) must hash to one slot, else {@code CROSSSLOT} as in
 * Redis Cluster. The block goes on the session's shared connection, or on the WATCH's dedicated one; both
 * are drained by a migration's barrier, so a block sent before the barrier has run on the source before
 * any key moves. A slot held or migrating takes the block through the session's {@link Deferred} queue
 * as one entry (the transaction's keys move to the target first, then the whole block runs there): it is
 * never split between two owners. A transaction without keys goes to the master of the lowest group.
 */
final class Transaction {
  private static final byte[] OK = ascii("+OK\r\n");
  private static final byte[] QUEUED = ascii("+QUEUED\r\n");
  private static final byte[] EMPTY = ascii("*0\r\n");
  static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
  private static final byte[] MULTI = new RespWriter(16).writeCommand(ascii("MULTI")).toByteArray();
  private static final byte[] EXEC = new RespWriter(16).writeCommand(ascii("EXEC")).toByteArray();

  /** Replies to MULTI and to the queued commands: EXEC's reply holds all the client is owed. */
  static final ReplyHandler IGNORE = new ReplyHandler() {
    @Override
    public void onReply(Reply reply) {
    }

    @Override
    public void onFailure(String error) {
    }
  };

  private final Session session;
  private final Watch watch;
  private boolean open;
  /** A command was refused while queueing: EXEC answers EXECABORT. */
  private boolean flagged;
  private final List<byte[]> frames = new ArrayList<>();
  private final Set<ByteBuffer> keys = new LinkedHashSet<>();
  /** The slot of the queued commands' keys; -1 until one has keys. */
  private int slot = -1;
  private boolean write;
  private long bytes;

  Transaction(Session session) {
    this.session = session;
    this.watch = new Watch(session);
  }

  /** MULTI, EXEC, DISCARD, WATCH, UNWATCH (outside MULTI; inside, UNWATCH is queued like Redis does). */
  static void execute(Session s, Command cmd, CommandSpec spec, Pending p) {
    Transaction t = s.transaction();
    switch (spec.name()) {
      case "multi" -> {
        if (t.open) {
          p.completeError("ERR MULTI calls can not be nested");
          return;
        }
        t.open = true;
        p.complete(OK);
      }
      case "exec" -> t.exec(p);
      case "discard" -> {
        if (!t.open) {
          p.completeError("ERR DISCARD without MULTI");
          return;
        }
        t.clear();
        t.watch.clear();
        p.complete(OK);
      }
      case "watch" -> {
        if (t.open) {
          p.completeError("ERR WATCH inside MULTI is not allowed");
          return;
        }
        t.watch.watch(cmd, spec, p);
      }
      default -> {
        t.watch.clear();
        p.complete(OK);
      }
    }
  }

  /** Whether {@code spec} is queued now: inside MULTI, every command but these, as in Redis. */
  boolean queues(CommandSpec spec) {
    if (!open) {
      return false;
    }
    if (spec == null) {
      return true;
    }
    return switch (spec.name()) {
      case "exec", "discard", "multi", "watch", "quit", "reset" -> false;
      default -> true;
    };
  }

  /** Queues a command inside MULTI, or answers its error and flags the transaction. */
  void queue(Command cmd, CommandSpec spec, String rejection, Pending p) {
    String error = rejection != null ? rejection : check(cmd, spec);
    if (error == null) {
      byte[] frame = frame(cmd);
      bytes += frame.length;
      if (bytes > session.ctx().proxy.limits().queryBufferLimit()) {
        error = "ERR the transaction's queued commands exceed rekko.proxy.client-query-buffer-limit";
      } else {
        frames.add(frame);
        write |= spec.mayWrite();
        p.complete(QUEUED);
        return;
      }
    }
    flagged = true;
    p.completeError(error);
  }

  /** Null when the command can run inside the backend's transaction, else the error. */
  private String check(Command cmd, CommandSpec spec) {
    if (spec.has(CommandFlag.NO_MULTI)) {
      return "ERR Command not allowed inside a transaction";
    }
    return switch (spec.policy()) {
      case SINGLE_SLOT, SPLIT -> keysOf(cmd, spec);
      // Inside a transaction Redis runs them without blocking (BLPOP as LPOP); WAIT waits for nothing there.
      case BLOCKING -> spec.name().equals("wait") ? notAllowed(spec) : keysOf(cmd, spec);
      // The backend answers these itself (TIME with its clock); UNWATCH there is harmless, EXEC ends the watch.
      case PROXY -> switch (spec.name()) {
        case "ping", "echo", "time", "unwatch" -> null;
        default -> notAllowed(spec);
      };
      default -> notAllowed(spec);
    };
  }

  private static String notAllowed(CommandSpec spec) {
    return "ERR command '" + spec.displayName().toUpperCase(java.util.Locale.ROOT)
        + "' is not allowed inside a transaction through Rekko";
  }

  /** Records the command's keys; CROSSSLOT when they leave the transaction's (or the WATCH's) slot. */
  private String keysOf(Command cmd, CommandSpec spec) {
    int[] positions = session.keyPositions(cmd.argc());
    int n = spec.keyIndexes(cmd, positions);
    if (n <= 0) {
      // No keys, or keys Redis cannot locate either (bad numkeys …): the backend answers the command's
      // own error inside EXEC's reply, as Redis does for a queued command.
      return null;
    }
    int s = SlotHash.slot(cmd.array(positions[0]), cmd.offset(positions[0]), cmd.length(positions[0]));
    for (int i = 1; i < n; i++) {
      if (SlotHash.slot(cmd.array(positions[i]), cmd.offset(positions[i]), cmd.length(positions[i])) != s) {
        return Errors.CROSSSLOT;
      }
    }
    int expected = slot >= 0 ? slot : watch.slot();
    if (expected >= 0 && expected != s) {
      return Errors.CROSSSLOT;
    }
    slot = s;
    for (int i = 0; i < n; i++) {
      keys.add(ByteBuffer.wrap(Deferred.copy(cmd, positions[i])));
    }
    return null;
  }

  private void exec(Pending p) {
    if (!open) {
      p.completeError("ERR EXEC without MULTI");
      return;
    }
    Watch.Watched watched = watch.handOver();
    ExecReply done = new ExecReply(session, p, watched);
    boolean aborted = flagged;
    int s = slot >= 0 ? slot : watched != null ? watched.slot : -1;
    byte[][] block = new byte[frames.size() + 2][];
    block[0] = MULTI;
    for (int i = 0; i < frames.size(); i++) {
      block[i + 1] = frames.get(i);
    }
    block[block.length - 1] = EXEC;
    byte[][] keyBytes = new byte[keys.size()][];
    int k = 0;
    for (ByteBuffer key : keys) {
      keyBytes[k++] = key.array();
    }
    boolean writes = write;
    clear();
    if (aborted) {
      done.fail(EXECABORT);
      return;
    }
    if (watched != null && (watched.broken || watched.lost)) {
      done.nil();
      return;
    }
    if (watched == null && block.length == 2) {
      p.complete(EMPTY);
      return;
    }
    ReplyHandler[] handlers = new ReplyHandler[block.length];
    Arrays.fill(handlers, IGNORE);
    handlers[handlers.length - 1] = done;
    int db = session.db();
    Deferred.Block send = watched == null
        ? (server, r) -> session.links().sendAllOn(server, db, block, handlers, writes)
        : (server, r) -> {
          if (watched.intact(server, r, session.ctx().router.table())) {
            watched.exec(db, block, handlers, writes);
          } else {
            done.nil();
          }
        };
    Router router = session.ctx().router;
    RoutingTable table = router.table();
    if (table == null) {
      done.fail(router.refusal());
      return;
    }
    SlotRoute route = s >= 0 ? table.route(s) : lowestGroup(table);
    if (route == null) {
      done.fail(Errors.SLOT_NOT_READY);
      return;
    }
    RouteDecision decision = s >= 0 ? session.decide(route) : RouteDecision.DIRECT;
    if (decision == RouteDecision.DIRECT) {
      send.send(route.master(), route);
    } else if (decision.deferred()) {
      session.deferred().addBlock(s, db, keyBytes, done.beforeSend(), writes, send);
    } else {
      done.fail(Errors.SLOT_NOT_READY);
    }
  }

  /** A keyless transaction touches no slot's data: it runs on the master of the lowest group. */
  private static SlotRoute lowestGroup(RoutingTable table) {
    SlotRoute best = null;
    for (int i = 0; i < SlotHash.SLOTS; i++) {
      SlotRoute r = table.route(i);
      if (r.online() && (best == null || r.group() < best.group())) {
        best = r;
      }
    }
    return best;
  }

  private void clear() {
    open = false;
    flagged = false;
    frames.clear();
    keys.clear();
    slot = -1;
    write = false;
    bytes = 0;
  }

  /** The session's dedicated connections, which its commands to their servers go on ({@link Pins}). */
  Pins pins() {
    return watch.pins();
  }

  boolean watching() {
    return watch.watching();
  }

  /** RESET: no transaction, nothing watched (the connections go back once idle: {@link Pins}). */
  void reset() {
    clear();
    watch.clear();
  }

  /** The connection closed: no transaction, nothing watched, every dedicated connection back at once. */
  void end() {
    clear();
    watch.end();
  }

  /** The command as RESP, copied: the queue outlives the buffer it was read into. */
  static byte[] frame(Command cmd) {
    if (cmd.isInline()) {
      RespWriter w = new RespWriter(64);
      cmd.writeTo(w);
      return w.toByteArray();
    }
    int off = cmd.frameOffset();
    return Arrays.copyOfRange(cmd.frameArray(), off, off + cmd.frameLength());
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
