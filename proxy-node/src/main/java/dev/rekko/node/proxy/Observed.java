package dev.rekko.node.proxy;

import dev.rekko.node.observe.BigKeys;
import dev.rekko.node.observe.HotKeys;
import dev.rekko.node.observe.KeyText;
import dev.rekko.node.observe.Observability;
import dev.rekko.node.observe.SlowArgs;
import dev.rekko.protocol.Args;
import dev.rekko.protocol.command.CommandFlag;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.command.CommandTable;
import dev.rekko.protocol.resp.Command;
import java.util.Locale;

/**
 * Where the session core feeds the node's {@link Observability}: the slow log, hot keys and big keys.
 *
 * <p>A {@link Pending} keeps its decoded {@link Command} ({@link Pending#request}) until its reply is
 * written, so that a command found slow then can still be shown. That costs nothing: a command's bytes
 * are slices of the chunk its read allocated, which the decoder never reuses. Only a frame bigger than
 * {@link #KEEP_FRAME} is not kept (it would stay in memory until the reply, long after it was sent):
 * its slow-log arguments (at most 32 of at most 128 bytes) are copied at dispatch instead.
 */
final class Observed {
  static final int KEEP_FRAME = 64 * 1024;

  private Observed() {}

  /** A command was decoded: remembers what it was; a big request is recorded at once. */
  static void dispatched(Observability o, Command cmd, CommandSpec spec, Pending p) {
    int size = cmd.frameLength();
    p.request = size <= KEEP_FRAME ? cmd : SlowArgs.preview(cmd);
    if (size > o.bigKeys().thresholdBytes()) {
      o.bigKeys().add(firstKey(cmd, spec), name(cmd, spec), size, BigKeys.Direction.REQUEST);
    }
  }

  /** A sampled command: its keys go into the hot-keys sketch. */
  static void sample(Session s, HotKeys hot, Command cmd, CommandSpec spec) {
    int[] positions = s.keyPositions(cmd.argc());
    int n = spec.keyIndexes(cmd, positions);
    if (n > 0) {
      hot.sample(cmd, positions, n);
    }
  }

  /**
   * A reply was written {@code nanos} after its command was decoded, and it was slow or big (the caller
   * compared). Blocking commands are not logged as slow: their time is mostly waiting, which Redis does
   * not count either.
   */
  static void completed(Session s, Pending p, long nanos) {
    Args request = p.request;
    if (request == null) {
      return;
    }
    Observability o = s.ctx().observe;
    CommandSpec spec = CommandTable.lookup(request);
    if (nanos >= o.slowLog().thresholdNanos() && (spec == null || !spec.has(CommandFlag.BLOCKING))) {
      o.slowLog().add(nanos, SlowArgs.of(request), s.remote(), s.client().name(),
          p.backend == null ? "" : p.backend.toString());
    }
    if (p.length > o.bigKeys().thresholdBytes()) {
      o.bigKeys().add(firstKey(request, spec), name(request, spec), p.length, BigKeys.Direction.REPLY);
    }
  }

  private static String firstKey(Args args, CommandSpec spec) {
    if (spec == null) {
      return "";
    }
    int[] positions = new int[args.argc()];
    int n = spec.keyIndexes(args, positions);
    return n > 0 ? KeyText.of(args.array(positions[0]), args.offset(positions[0]), args.length(positions[0])) : "";
  }

  private static String name(Args args, CommandSpec spec) {
    return spec != null ? spec.displayName().toUpperCase(Locale.ROOT) : args.string(0).toUpperCase(Locale.ROOT);
  }
}
