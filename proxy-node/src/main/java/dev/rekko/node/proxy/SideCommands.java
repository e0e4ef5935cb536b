package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Commands a {@link Deferred} entry sends beside its {@code MIGRATE}, all to one server: the
 * {@code MEMORY USAGE} of each key after a timeout; after a {@code BUSYKEY}, the {@code EXISTS} of each
 * key on the target, then one {@code DEL} on the source of those the target holds. Their replies come on
 * a backend I/O thread, one after the other; when the last has come, {@code done} runs there.
 */
final class SideCommands implements ReplyHandler {
  static final byte[][] MEMORY_USAGE = {bytes("MEMORY"), bytes("USAGE")};
  static final byte[][] EXISTS = {bytes("EXISTS")};
  static final byte[] DEL = bytes("DEL");

  // Written on the I/O thread before done runs; the session thread reads them after the entry's
  // volatile state that done sets.
  private final long[] values;
  private final Consumer<SideCommands> done;
  private int next;
  private String failure;
  private String refusal;

  private SideCommands(int commands, Consumer<SideCommands> done) {
    this.values = new long[commands];
    this.done = done;
  }

  /** {@code verb… key} for each key, on the session's connection to {@code server} (session thread). */
  static SideCommands perKey(Session session, BackendAddress server, int db, byte[][] verb, byte[][] keys,
      Consumer<SideCommands> done) {
    SideCommands side = new SideCommands(keys.length, done);
    for (byte[] key : keys) {
      byte[][] argv = java.util.Arrays.copyOf(verb, verb.length + 1);
      argv[verb.length] = key;
      side.send(session, server, db, argv);
    }
    return side;
  }

  /** One {@code verb key…} for all {@code keys} (session thread). */
  static SideCommands allKeys(Session session, BackendAddress server, int db, byte[] verb, byte[][] keys,
      Consumer<SideCommands> done) {
    byte[][] argv = new byte[1 + keys.length][];
    argv[0] = verb;
    System.arraycopy(keys, 0, argv, 1, keys.length);
    SideCommands side = new SideCommands(1, done);
    side.send(session, server, db, argv);
    return side;
  }

  private void send(Session session, BackendAddress server, int db, byte[][] argv) {
    int size = 32;
    for (byte[] a : argv) {
      size += a.length + 16;
    }
    byte[] frame = new RespWriter(size).writeCommand(argv).toByteArray();
    // The DEL of stale source copies is a write: with durable writes its reply waits for the replica.
    session.links().sendOn(server, db, frame, 0, frame.length, this, null, argv[0] == DEL);
  }

  /** The biggest integer reply, 0 when none was one. */
  long max() {
    long max = 0;
    for (long v : values) {
      max = Math.max(max, v);
    }
    return max;
  }

  /** Those of {@code keys} (in the order they were sent, one command each) whose command answered above 0. */
  byte[][] positive(byte[][] keys) {
    return java.util.stream.IntStream.range(0, keys.length).filter(i -> values[i] > 0).mapToObj(i -> keys[i])
        .toArray(byte[][]::new);
  }

  /** Why a command got no reply (a connection's failure), or null. */
  String failure() {
    return failure;
  }

  /** The first error a command answered, else {@link #failure()}. */
  String error() {
    return refusal != null ? refusal : failure;
  }

  @Override
  public void onReply(Reply reply) {
    RespValue v = reply.value();
    values[next] = v instanceof RespValue.Integer n ? n.value() : -1;
    if (refusal == null && v instanceof RespValue.Error e) {
      refusal = e.message();
    }
    answered();
  }

  @Override
  public void onFailure(String error) {
    values[next] = -1;
    failure = error;
    answered();
  }

  private void answered() {
    if (++next == values.length) {
      done.accept(this);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
