package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.pubsub.PubSubKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The pub/sub commands (see "Pub/sub" in protocol/COMMANDS.md). Subscriptions are the session's
 * ({@link SessionPubSub}) and the node's ({@link PubSubHub}); a (P|S)SUBSCRIBE is confirmed once the
 * backend confirmed it. PUBLISH and the channel and pattern counts go to the global server, SPUBLISH to
 * its channel's slot's master, the shard channel counts to every master.
 */
final class PubSubCommands {
  static final String NO_GLOBAL_SERVER = "ERR no group has a master for pub/sub, try again";

  private PubSubCommands() {}

  static void execute(Session s, Command cmd, CommandSpec spec, Pending p) {
    switch (spec.name()) {
      case "subscribe" -> subscribe(s, cmd, PubSubKind.CHANNEL, p);
      case "psubscribe" -> subscribe(s, cmd, PubSubKind.PATTERN, p);
      case "ssubscribe" -> subscribe(s, cmd, PubSubKind.SHARD, p);
      case "unsubscribe" -> unsubscribe(s, cmd, PubSubKind.CHANNEL, p);
      case "punsubscribe" -> unsubscribe(s, cmd, PubSubKind.PATTERN, p);
      case "sunsubscribe" -> unsubscribe(s, cmd, PubSubKind.SHARD, p);
      case "spublish" -> spublish(s, cmd, p);
      case "pubsub|shardchannels", "pubsub|shardnumsub" -> everyMaster(s, cmd, spec, p);
      default -> global(s, cmd, spec, p);
    }
  }

  private static void subscribe(Session s, Command cmd, PubSubKind kind, Pending p) {
    if (kind == PubSubKind.SHARD && shardError(s, cmd, p, true)) {
      return;
    }
    SessionPubSub ps = s.pubsub();
    LinkedHashSet<String> names = new LinkedHashSet<>();
    RespWriter w = new RespWriter(32 * cmd.argc());
    for (int i = 1; i < cmd.argc(); i++) {
      String name = latin1(cmd, i);
      names.add(name);
      ps.names(kind).add(name);
      confirmation(w, s.protocol(), kind.subscribeBytes(), cmd, i, ps.count(kind));
    }
    byte[] reply = w.toByteArray();
    s.ctx().pubsub.subscribe(kind, ps, names, () -> {
      p.complete(reply);
      p.signalSession();
    });
  }

  private static void unsubscribe(Session s, Command cmd, PubSubKind kind, Pending p) {
    if (kind == PubSubKind.SHARD && cmd.argc() > 1 && shardError(s, cmd, p, false)) {
      return;
    }
    SessionPubSub ps = s.pubsubIfAny();
    LinkedHashSet<String> held = ps == null ? new LinkedHashSet<>() : ps.names(kind);
    List<String> dropped = new ArrayList<>();
    RespWriter w = new RespWriter(64);
    if (cmd.argc() > 1) {
      for (int i = 1; i < cmd.argc(); i++) {
        String name = latin1(cmd, i);
        if (held.remove(name)) {
          dropped.add(name);
        }
        confirmation(w, s.protocol(), kind.unsubscribeBytes(), cmd, i, ps == null ? 0 : ps.count(kind));
      }
    } else if (held.isEmpty()) {
      header(w, s.protocol()).writeBulk(kind.unsubscribeBytes());
      (s.protocol() == 3 ? w.writeNull() : w.writeNullBulk()).writeInteger(ps == null ? 0 : ps.count(kind));
    } else {
      dropped.addAll(held);
      for (String name : dropped) {
        held.remove(name);
        header(w, s.protocol()).writeBulk(kind.unsubscribeBytes())
            .writeBulk(name.getBytes(StandardCharsets.ISO_8859_1)).writeInteger(ps.count(kind));
      }
    }
    if (!dropped.isEmpty()) {
      s.ctx().pubsub.unsubscribe(kind, ps, dropped);
    }
    p.complete(w.toByteArray());
  }

  /**
   * SSUBSCRIBE's and SUNSUBSCRIBE's channels must share a slot, as in Redis Cluster; SSUBSCRIBE needs the
   * slot to have a master. True when {@code p} was answered with the error.
   */
  private static boolean shardError(Session s, Command cmd, Pending p, boolean needsMaster) {
    int slot = slot(cmd, 1);
    for (int i = 2; i < cmd.argc(); i++) {
      if (slot(cmd, i) != slot) {
        p.completeError(Errors.CROSSSLOT);
        return true;
      }
    }
    if (!needsMaster) {
      return false;
    }
    RoutingTable table = s.ctx().router.table();
    if (table == null) {
      p.completeError(s.ctx().router.refusal());
      return true;
    }
    if (table.route(slot).master() == null) {
      p.completeError(Errors.SLOT_NOT_READY);
      return true;
    }
    return false;
  }

  private static void spublish(Session s, Command cmd, Pending p) {
    RoutingTable table = s.ctx().router.table();
    if (table == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    BackendAddress master = table.route(slot(cmd, 1)).master();
    if (master == null) {
      p.completeError(Errors.SLOT_NOT_READY);
      return;
    }
    s.forward(master, cmd, p, false);
  }

  /** PUBLISH, PUBSUB CHANNELS, NUMPAT, NUMSUB: the global server answers (NUMSUB with this node's own count). */
  private static void global(Session s, Command cmd, CommandSpec spec, Pending p) {
    if (s.ctx().router.table() == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    BackendAddress server = s.ctx().pubsub.globalServer();
    if (server == null) {
      p.completeError(NO_GLOBAL_SERVER);
      return;
    }
    if (spec.name().equals("pubsub|numsub")) {
      PubSubCounts counts = new PubSubCounts(s.ctx().pubsub, PubSubCounts.Mode.NUMSUB, p, 1);
      s.forward(server, cmd, counts.part(0), false);
    } else {
      s.forward(server, cmd, p, false);
    }
  }

  /** PUBSUB SHARDCHANNELS and SHARDNUMSUB: every master is asked, the answers merged. */
  private static void everyMaster(Session s, Command cmd, CommandSpec spec, Pending p) {
    RoutingTable table = s.ctx().router.table();
    if (table == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    PubSubCounts.Mode mode = spec.name().equals("pubsub|shardnumsub") ? PubSubCounts.Mode.SHARDNUMSUB
        : PubSubCounts.Mode.SHARDCHANNELS;
    List<BackendAddress> masters = table.masters();
    if (masters.isEmpty()) {
      p.completeError(Errors.SLOT_NOT_READY);
      return;
    }
    PubSubCounts counts = new PubSubCounts(s.ctx().pubsub, mode, p, masters.size());
    for (int i = 0; i < masters.size(); i++) {
      s.forward(masters.get(i), cmd, counts.part(i), false);
    }
  }

  private static void confirmation(RespWriter w, int protocol, byte[] word, Command cmd, int i, int count) {
    header(w, protocol).writeBulk(word).writeBulk(cmd.array(i), cmd.offset(i), cmd.length(i)).writeInteger(count);
  }

  /** RESP3 sends confirmations as pushes, RESP2 as arrays. */
  private static RespWriter header(RespWriter w, int protocol) {
    return protocol == 3 ? w.writePushHeader(3) : w.writeArrayHeader(3);
  }

  private static int slot(Command cmd, int i) {
    return SlotHash.slot(cmd.array(i), cmd.offset(i), cmd.length(i));
  }

  /** A name as the hub keys it: one char per byte, so any bytes round-trip. */
  static String latin1(Command cmd, int i) {
    return new String(cmd.array(i), cmd.offset(i), cmd.length(i), StandardCharsets.ISO_8859_1);
  }
}
