package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.backend.BackendAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RANDOMKEY: asked of every group that may hold keys at once; the answer is one of the groups' keys
 * chosen at random (each non-empty group equally likely, unlike one Redis's uniform pick over keys),
 * nil when every group is empty.
 */
final class RandomKeyCommand extends Gather {
  private final byte[] nil;

  private RandomKeyCommand(Pending target, int parts, byte[] nil) {
    super(target, parts);
    this.nil = nil;
  }

  static void dispatch(Session s, Command cmd, Pending p, RoutingTable table) {
    KeyspaceGroups ks = KeyspaceGroups.of(table);
    if (ks == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    List<BackendAddress> masters = ks.masters(ks.all());
    if (masters == null) {
      p.completeError(KeyspaceGroups.noMasterError(ks.noMaster(ks.all())));
      return;
    }
    if (masters.isEmpty()) {
      p.complete(Replies.nullValue(s.protocol()));
      return;
    }
    RandomKeyCommand r = new RandomKeyCommand(p, masters.size(), Replies.nullValue(s.protocol()));
    for (int i = 0; i < masters.size(); i++) {
      s.forward(masters.get(i), cmd, r.part(i), false);
    }
  }

  @Override
  byte[] merge() {
    List<Reply> found = new ArrayList<>();
    for (Reply r : replies) {
      if (r.valueType() == '$' && !(r.value() instanceof dev.rekko.protocol.resp.RespValue.NullBulk)) {
        found.add(r);
      }
    }
    return found.isEmpty() ? nil : found.get(ThreadLocalRandom.current().nextInt(found.size())).toByteArray();
  }
}
