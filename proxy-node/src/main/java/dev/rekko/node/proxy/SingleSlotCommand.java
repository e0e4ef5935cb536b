package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RespWriter;

/**
 * A command whose keys all live in one slot (GET, SET, EVAL …): it goes to that slot's master unchanged
 * (a read-only one maybe to a replica: {@link Session#directServer}), or through the session's
 * {@link Deferred} queue while the slot migrates ({@link Session#decide}).
 */
final class SingleSlotCommand {
  private SingleSlotCommand() {}

  static void dispatch(Session s, Command cmd, CommandSpec spec, Pending p) {
    Router router = s.ctx().router;
    RoutingTable table = router.table();
    if (table == null) {
      p.completeError(router.refusal());
      return;
    }
    int[] keys = s.keyPositions(cmd.argc());
    int n = spec.keyIndexes(cmd, keys);
    if (n < 0) {
      p.completeError(spec.keyError(n));
      return;
    }
    int slot;
    if (n == 0) {
      // A keyless invocation (EVAL with numkeys 0, …) touches no slot's data; any group can run it.
      slot = cmd.argc() > 1 ? SlotHash.slot(cmd.array(1), cmd.offset(1), cmd.length(1)) : 0;
    } else {
      slot = SlotHash.slot(cmd.array(keys[0]), cmd.offset(keys[0]), cmd.length(keys[0]));
      for (int i = 1; i < n; i++) {
        if (SlotHash.slot(cmd.array(keys[i]), cmd.offset(keys[i]), cmd.length(keys[i])) != slot) {
          p.completeError(Errors.CROSSSLOT);
          return;
        }
      }
    }
    SlotRoute route = table.route(slot);
    RouteDecision decision = s.decide(route);
    if (decision == RouteDecision.DIRECT) {
      s.forward(s.directServer(route), cmd, p, spec.mayWrite());
      return;
    }
    if (!decision.deferred()) {
      p.completeError(Errors.SLOT_NOT_READY);
      return;
    }
    byte[][] keyBytes = new byte[n][];
    for (int i = 0; i < n; i++) {
      keyBytes[i] = Deferred.copy(cmd, keys[i]);
    }
    if (cmd.isInline()) {
      RespWriter w = new RespWriter(64);
      cmd.writeTo(w);
      s.deferred().add(slot, s.db(), w.array(), 0, w.length(), keyBytes, p, p, spec.mayWrite());
    } else {
      s.deferred().add(slot, s.db(), cmd.frameArray(), cmd.frameOffset(), cmd.frameLength(), keyBytes, p, p, spec.mayWrite());
    }
  }
}
