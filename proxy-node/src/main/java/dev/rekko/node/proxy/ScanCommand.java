package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SCAN cursor [MATCH p] [COUNT n] [TYPE t]: one backend SCAN per call, on the group the cursor names,
 * with the client's options; the groups are visited one after the other.
 *
 * <p>An iteration is a sequence of passes. A pass visits every group that may hold keys, by id (the
 * main phase), then the targets of the slots in a migration at that moment (the tail phase): a key that
 * left its source after the target was visited and before the source was is on the target when the
 * tail visits it. A pass during which a slot changed (a slot entry's epoch is past the epoch the pass
 * started at) is followed by another, full, pass; the iteration ends (cursor 0) after a pass during
 * which no slot changed. So every key present from the start to the end is returned at least once.
 *
 * <p>The cursor is an unsigned 64-bit number (as Redis's): bits 0–16 the low bits of the pass's start
 * epoch, bit 17 the tail phase, bit 18 always set (a cursor in progress is never 0), bits 19–29 the
 * position in the phase's list of groups, bits 30–63 the backend's own cursor.
 */
final class ScanCommand implements ReplyHandler {
  static final String INVALID = "ERR invalid cursor";
  private static final int EPOCH_BITS = 17;
  private static final long EPOCH_MASK = (1L << EPOCH_BITS) - 1;
  private static final long TAIL = 1L << 17;
  private static final long MARK = 1L << 18;
  private static final int POSITION_SHIFT = 19;
  private static final long POSITION_MASK = (1L << 11) - 1;
  private static final int BACKEND_SHIFT = 30;
  static final long MAX_BACKEND_CURSOR = (1L << (64 - BACKEND_SHIFT)) - 1;

  /** Where an iteration is: the pass's start epoch, the phase, the group's position, the backend cursor. */
  record Cursor(long epoch, boolean tail, int position, long backend) {
    long encode() {
      return MARK | (epoch & EPOCH_MASK) | (tail ? TAIL : 0) | ((long) position << POSITION_SHIFT)
          | (backend << BACKEND_SHIFT);
    }

    /** Null when {@code value} is not a cursor Rekko gave out; {@code current} completes the epoch. */
    static Cursor decode(long value, long current) {
      if ((value & MARK) == 0) {
        return null;
      }
      long low = value & EPOCH_MASK;
      // The largest epoch not above the current one with these low bits.
      long epoch = current - ((current - low) & EPOCH_MASK);
      return new Cursor(epoch, (value & TAIL) != 0, (int) ((value >>> POSITION_SHIFT) & POSITION_MASK),
          value >>> BACKEND_SHIFT);
    }
  }

  private final Pending target;
  private final Router router;
  private final Cursor at;
  private final int group;

  private ScanCommand(Pending target, Router router, Cursor at, int group) {
    this.target = target;
    this.router = router;
    this.at = at;
    this.group = group;
  }

  static void dispatch(Session s, Command cmd, Pending p, RoutingTable table) {
    long value;
    try {
      value = Long.parseUnsignedLong(cmd.string(1));
    } catch (NumberFormatException e) {
      p.completeError(INVALID);
      return;
    }
    KeyspaceGroups ks = KeyspaceGroups.of(table);
    if (ks == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    long epoch = ks.topology().epoch();
    Cursor at = value == 0 ? new Cursor(epoch, false, 0, 0) : Cursor.decode(value, epoch);
    if (at == null) {
      p.completeError(INVALID);
      return;
    }
    at = settle(ks, at);
    if (at == null) {
      p.complete(reply(0, List.of()));
      return;
    }
    List<Integer> groups = at.tail() ? ks.targets() : ks.all();
    int group = groups.get(at.position());
    BackendAddress master = ks.master(group);
    if (master == null) {
      p.completeError(KeyspaceGroups.noMasterError(group));
      return;
    }
    byte[][] argv = new byte[cmd.argc()][];
    argv[0] = bytes("SCAN");
    argv[1] = bytes(Long.toUnsignedString(at.backend()));
    for (int i = 2; i < argv.length; i++) {
      argv[i] = java.util.Arrays.copyOfRange(cmd.array(i), cmd.offset(i), cmd.offset(i) + cmd.length(i));
    }
    byte[] request = new RespWriter(64).writeCommand(argv).toByteArray();
    s.send(master, request, 0, request.length, new ScanCommand(p, s.ctx().router, at, group), false);
  }

  /**
   * The position {@code at} names, or the next one that exists, moving on to the tail phase and to a new
   * pass as needed; null when the iteration is over.
   */
  static Cursor settle(KeyspaceGroups ks, Cursor at) {
    if (!at.tail() && at.position() < ks.all().size()) {
      return at;
    }
    if (!at.tail()) {
      at = new Cursor(at.epoch(), true, 0, 0);
    }
    if (at.position() < ks.targets().size()) {
      return at;
    }
    if (!ks.changedSince(at.epoch())) {
      return null;
    }
    long now = ks.topology().epoch();
    return ks.all().isEmpty() ? null : new Cursor(now, false, 0, 0);
  }

  @Override
  public void onReply(Reply reply) {
    if (reply.isError()) {
      target.onReply(reply);
      return;
    }
    List<RespValue> parts = ((RespValue.Array) reply.value()).elements();
    long backend = Long.parseUnsignedLong(((RespValue.BulkString) parts.get(0)).utf8());
    List<RespValue> keys = ((RespValue.Array) parts.get(1)).elements();
    long next;
    if (backend != 0) {
      if (Long.compareUnsigned(backend, MAX_BACKEND_CURSOR) > 0) {
        target.onFailure("ERR the SCAN cursor of group " + group + " (" + backend + ") is too large for Rekko's cursor");
        return;
      }
      next = new Cursor(at.epoch(), at.tail(), at.position(), backend).encode();
    } else {
      next = nextGroup();
    }
    byte[] bytes = reply(next, keys);
    target.complete(bytes, 0, bytes.length, false);
    target.signalSession();
  }

  /** The cursor after the group at {@link #at} is done: the next position, settled now if possible. */
  private long nextGroup() {
    Cursor following = new Cursor(at.epoch(), at.tail(), at.position() + 1, 0);
    RoutingTable table = router.table();
    KeyspaceGroups ks = table == null ? null : KeyspaceGroups.of(table);
    if (ks == null) {
      return following.encode();
    }
    Cursor settled = settle(ks, following);
    return settled == null ? 0 : settled.encode();
  }

  @Override
  public void onFailure(String error) {
    target.onFailure(error);
  }

  private static byte[] reply(long cursor, List<RespValue> keys) {
    RespWriter w = new RespWriter(64 + keys.size() * 16);
    w.writeArrayHeader(2).writeBulk(Long.toUnsignedString(cursor)).writeArrayHeader(keys.size());
    for (RespValue k : keys) {
      w.write(k);
    }
    return w.toByteArray();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
