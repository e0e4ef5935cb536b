package dev.rekko.node.proxy;

import dev.rekko.node.observe.SlowLog;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RequestDecoder;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CONFIG parameters that are the node's own: {@code slowlog-log-slower-than} and
 * {@code slowlog-max-len} set the node's slow log, not the servers'. CONFIG SET of only these is answered
 * by the node; with others, the others go to the servers ({@link ConfigCommand}) and these are applied
 * once the servers accepted. CONFIG GET shows the node's values, in place of the master's for a pattern.
 */
final class NodeConfigParameters {
  static final String SLOWER_THAN = "slowlog-log-slower-than";
  static final String MAX_LEN = "slowlog-max-len";
  private static final List<String> NAMES = List.of(SLOWER_THAN, MAX_LEN);

  private NodeConfigParameters() {}

  static boolean isNodes(String name) {
    return NAMES.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * CONFIG SET: checks the node's parameters among the pairs and answers when they are all there is;
   * returns the command for the servers (the other pairs), null when answered. {@code apply[0]} is set to
   * what applies the node's values, to run once the servers accepted.
   */
  static Command set(Session s, Command cmd, Pending p, Runnable[] apply) {
    List<String[]> mine = new ArrayList<>();
    List<byte[]> rest = new ArrayList<>(List.of(cmd.copy(0), cmd.copy(1)));
    for (int i = 2; i + 1 < cmd.argc(); i += 2) {
      String name = cmd.string(i);
      if (!isNodes(name)) {
        rest.add(cmd.copy(i));
        rest.add(cmd.copy(i + 1));
        continue;
      }
      String value = cmd.string(i + 1);
      long min = name.equalsIgnoreCase(SLOWER_THAN) ? -1 : 0;
      String error = checkWhole(name, value, min);
      if (error != null) {
        p.completeError(error);
        return null;
      }
      mine.add(new String[] {name.toLowerCase(Locale.ROOT), value.trim()});
    }
    SlowLog log = s.ctx().observe.slowLog();
    apply[0] = () -> {
      for (String[] pair : mine) {
        long v = Long.parseLong(pair[1]);
        if (pair[0].equals(SLOWER_THAN)) {
          log.slowerThan(v);
        } else {
          log.maxLen(v);
        }
      }
    };
    if (mine.isEmpty()) {
      return cmd;
    }
    if (rest.size() == 2) {
      apply[0].run();
      p.complete(Broadcast.OK);
      return null;
    }
    RequestDecoder decoder = new RequestDecoder();
    decoder.feed(new RespWriter(64).writeCommand(rest.toArray(byte[][]::new)).toByteArray());
    return decoder.next();
  }

  /** Redis 7.0's check of a numeric parameter's value; null when it is fine. */
  private static String checkWhole(String name, String value, long min) {
    long v;
    try {
      v = value.startsWith("+") ? Long.parseLong("x") : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return failed(name, "argument couldn't be parsed into an integer");
    }
    if (v < min) {
      return failed(name, "argument must be between " + min + " and " + Long.MAX_VALUE + " inclusive");
    }
    return null;
  }

  private static String failed(String name, String why) {
    return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why;
  }

  /**
   * CONFIG GET: answers at once when every pattern is one of the node's names; else asks the master
   * ({@link ConfigCommand#fromOne}) and shows the node's values instead of its slow-log ones.
   */
  static void get(Session s, Command cmd, Pending p) {
    boolean allMine = true;
    for (int i = 2; i < cmd.argc(); i++) {
      allMine &= isNodes(cmd.string(i));
    }
    Map<String, String> mine = new java.util.LinkedHashMap<>();
    SlowLog log = s.ctx().observe.slowLog();
    for (String name : NAMES) {
      for (int i = 2; i < cmd.argc(); i++) {
        if (Glob.matches(cmd.copy(i), name.getBytes(StandardCharsets.US_ASCII), true)) {
          mine.put(name, Long.toString(name.equals(SLOWER_THAN) ? log.slowerThan() : log.maxLen()));
        }
      }
    }
    if (allMine) {
      p.complete(write(s.protocol(), List.of(), mine));
      return;
    }
    ConfigCommand.fromOne(s, cmd, new Pending(s, p.stats, p.startNanos) {
      @Override
      public void onReply(Reply reply) {
        RespValue v = reply.value();
        List<RespValue[]> pairs = new ArrayList<>();
        if (v instanceof RespValue.Array a) {
          for (int i = 0; i + 1 < a.elements().size(); i += 2) {
            pairs.add(new RespValue[] {a.elements().get(i), a.elements().get(i + 1)});
          }
        } else if (v instanceof RespValue.Map m) {
          m.entries().forEach(e -> pairs.add(new RespValue[] {e.getKey(), e.getValue()}));
        } else {
          p.onReply(reply);
          return;
        }
        pairs.removeIf(pair -> pair[0] instanceof RespValue.BulkString b && isNodes(b.utf8()));
        byte[] out = write(s.protocol(), pairs, mine);
        p.complete(out, 0, out.length, false);
        p.signalSession();
      }

      @Override
      public void onFailure(String message) {
        p.onFailure(message);
      }
    });
  }

  private static byte[] write(int protocol, List<RespValue[]> servers, Map<String, String> mine) {
    RespWriter w = new RespWriter(64);
    Replies.writeMapHeader(w, protocol, servers.size() + mine.size());
    for (RespValue[] pair : servers) {
      w.write(pair[0]).write(pair[1]);
    }
    mine.forEach((k, v) -> w.writeBulk(k).writeBulk(v));
    return w.toByteArray();
  }
}
