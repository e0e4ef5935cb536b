package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MGET, MSET, DEL, EXISTS, TOUCH and UNLINK over keys of many slots: one sub-command per backend
 * server, sent in parallel, merged back in the client's key order. When every key lives on one
 * server the original command is forwarded untouched.
 */
final class SplitCommand extends Gather {
  private enum Merge { VALUES, OK, SUM }

  private final Merge merge;
  private final int keyCount;
  private final int[][] positions;

  private SplitCommand(Pending target, Merge merge, int keyCount, int parts) {
    super(target, parts);
    this.merge = merge;
    this.keyCount = keyCount;
    this.positions = new int[parts][];
  }

  static void dispatch(Session s, Command cmd, CommandSpec spec, Pending p) {
    RoutingTable table = s.ctx().router.table();
    if (table == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    boolean pairs = spec.name().equals("mset");
    if (pairs && (cmd.argc() - 1) % 2 != 0) {
      p.completeError(spec.wrongArity());
      return;
    }
    int stride = pairs ? 2 : 1;
    int keyCount = (cmd.argc() - 1) / stride;
    // Parts by destination: a server for keys whose slot goes straight to it, the slot itself for keys
    // of a migrating slot, whose part takes the session's deferred path.
    Map<Object, List<Integer>> byServer = new LinkedHashMap<>();
    for (int k = 0; k < keyCount; k++) {
      int arg = 1 + k * stride;
      SlotRoute route = table.route(SlotHash.slot(cmd.array(arg), cmd.offset(arg), cmd.length(arg)));
      RouteDecision decision = s.decide(route);
      if (decision != RouteDecision.DIRECT && !decision.deferred()) {
        p.completeError(Errors.SLOT_NOT_READY);
        return;
      }
      Object destination = decision.deferred() ? (Object) route.slot() : route.master();
      byServer.computeIfAbsent(destination, a -> new ArrayList<>()).add(k);
    }
    if (byServer.size() == 1 && byServer.keySet().iterator().next() instanceof BackendAddress only) {
      s.forward(only, cmd, p, spec.mayWrite());
      return;
    }
    Merge merge = switch (spec.name()) {
      case "mget" -> Merge.VALUES;
      case "mset" -> Merge.OK;
      default -> Merge.SUM;
    };
    SplitCommand split = new SplitCommand(p, merge, keyCount, byServer.size());
    int part = 0;
    for (Map.Entry<Object, List<Integer>> e : byServer.entrySet()) {
      List<Integer> keys = e.getValue();
      RespWriter w = new RespWriter(32 + 32 * keys.size());
      w.writeArrayHeader(1 + keys.size() * stride).writeBulk(cmd.array(0), cmd.offset(0), cmd.length(0));
      int[] pos = new int[keys.size()];
      for (int i = 0; i < pos.length; i++) {
        int k = keys.get(i);
        pos[i] = k;
        for (int j = 0; j < stride; j++) {
          int arg = 1 + k * stride + j;
          w.writeBulk(cmd.array(arg), cmd.offset(arg), cmd.length(arg));
        }
      }
      split.positions[part] = pos;
      if (e.getKey() instanceof BackendAddress server) {
        s.send(server, w.array(), 0, w.length(), split.part(part), spec.mayWrite());
      } else {
        byte[][] keyBytes = new byte[pos.length][];
        for (int i = 0; i < pos.length; i++) {
          int arg = 1 + pos[i] * stride;
          keyBytes[i] = Deferred.copy(cmd, arg);
        }
        s.deferred().add((Integer) e.getKey(), s.db(), w.array(), 0, w.length(), keyBytes, split.part(part), p,
            spec.mayWrite());
      }
      part++;
    }
  }

  @Override
  byte[] merge() {
    RespWriter w = new RespWriter(64);
    switch (merge) {
      case OK -> w.writeSimpleString("OK");
      case SUM -> {
        long sum = 0;
        for (Reply r : replies) {
          sum += ((RespValue.Integer) r.value()).value();
        }
        w.writeInteger(sum);
      }
      case VALUES -> {
        RespValue[] merged = new RespValue[keyCount];
        for (int i = 0; i < replies.length; i++) {
          List<RespValue> values = ((RespValue.Array) replies[i].value()).elements();
          for (int j = 0; j < positions[i].length; j++) {
            merged[positions[i][j]] = values.get(j);
          }
        }
        w.writeArrayHeader(keyCount);
        for (RespValue v : merged) {
          w.write(v);
        }
      }
    }
    return w.toByteArray();
  }
}
