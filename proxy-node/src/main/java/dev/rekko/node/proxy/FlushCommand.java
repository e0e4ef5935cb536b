package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.redis.backend.BackendAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * FLUSHDB and FLUSHALL [ASYNC|SYNC]: sent to the master of every group that may hold keys, {@code OK}
 * once each answered OK, else the first error, naming its group and server.
 *
 * <p>Refused while a slot is in a migration (PREPARING to FINISHED): the mover copies a round of keys
 * with DUMP on the source and RESTORE on the target, and a flush that ran on both between the two
 * would see the RESTORE bring keys back (a WATCH on the target does not notice a flush of keys it does
 * not hold yet). A migration that starts while the flush is on its way is safe: its barrier waits until
 * this node's commands to the source were answered, and the walk starts after the barrier. Also refused
 * while a group switches its master (the flush could reach the old one) and while a group has none.
 */
final class FlushCommand extends Gather {
  private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
  private final List<Integer> groups;
  private final List<BackendAddress> masters;

  private FlushCommand(Pending target, List<Integer> groups, List<BackendAddress> masters) {
    super(target, groups.size());
    this.groups = groups;
    this.masters = masters;
  }

  static void dispatch(Session s, Command cmd, CommandSpec spec, Pending p, RoutingTable table) {
    if (cmd.argc() > 2 || cmd.argc() == 2 && !cmd.is(1, "ASYNC") && !cmd.is(1, "SYNC")) {
      p.completeError(Errors.SYNTAX);
      return;
    }
    KeyspaceGroups ks = KeyspaceGroups.of(table);
    String name = spec.name().toUpperCase(Locale.ROOT);
    String refusal = refusal(ks, name);
    if (refusal != null) {
      p.completeError(refusal);
      return;
    }
    List<Integer> groups = ks.all();
    if (groups.isEmpty()) {
      p.complete(OK);
      return;
    }
    FlushCommand f = new FlushCommand(p, groups, ks.masters(groups));
    for (int i = 0; i < groups.size(); i++) {
      s.forward(f.masters.get(i), cmd, f.part(i), true);
    }
  }

  /** Why the flush may not run now; null when it may. */
  static String refusal(KeyspaceGroups ks, String name) {
    if (ks == null) {
      return Errors.ROUTER_NOT_ONLINE;
    }
    int moving = ks.movingSlot();
    if (moving >= 0) {
      var slot = ks.topology().slot(moving);
      return "ERR " + name + " is refused while slots migrate (slot " + moving + " from group " + slot.group()
          + " to group " + slot.target() + "): a key copied before the flush could come back; try again"
          + " once the migrations are done";
    }
    int switching = ks.switchingGroup();
    if (switching != 0) {
      return "ERR " + name + " is refused while group " + switching + " switches its master, try again";
    }
    int noMaster = ks.noMaster(ks.all());
    return noMaster != 0 ? KeyspaceGroups.noMasterError(noMaster) : null;
  }

  @Override
  String errorFor(int part, String error) {
    return prefixed(groups.get(part), masters.get(part), error);
  }

  /** {@code CODE group G (host:port): rest}: the error's code stays first, as clients read it. */
  static String prefixed(int group, BackendAddress server, String error) {
    int space = error.indexOf(' ');
    String code = space > 0 ? error.substring(0, space) : "ERR";
    String rest = space > 0 ? error.substring(space + 1) : error;
    return code + " group " + group + " (" + server + "): " + rest;
  }

  @Override
  byte[] merge() {
    return OK;
  }
}
