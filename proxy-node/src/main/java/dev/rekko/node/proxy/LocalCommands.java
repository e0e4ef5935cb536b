package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RespWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Commands the node answers itself: connection state, introspection, its own slow log (SLOWLOG), and
 * Codis's SLOTSHASHKEY; LOLWUT
 * and the COMMAND forms that need Redis's own knowledge go to one master ({@link #toAnyMaster}). Replies
 * are built in the session's protocol ({@link Replies}).
 */
final class LocalCommands {
  static final String REDIS_VERSION = "7.0.15";
  private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
  /** Redis 7.0's text for HELLO without AUTH on a connection that has not authenticated yet. */
  static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, "
      + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
      + "the RESP protocol version at the same time";

  private LocalCommands() {}

  static void execute(Session s, Command cmd, CommandSpec spec, Pending p) {
    RespWriter w = new RespWriter(64);
    switch (spec.name()) {
      case "ping" -> {
        if (cmd.argc() == 1) {
          p.complete(PONG);
          return;
        }
        if (cmd.argc() > 2) {
          // The table's arity (-1) lets any count through; Redis's PING itself takes at most one.
          p.completeError(spec.wrongArity());
          return;
        }
        w.writeBulk(cmd.array(1), cmd.offset(1), cmd.length(1));
      }
      case "echo" -> w.writeBulk(cmd.array(1), cmd.offset(1), cmd.length(1));
      case "quit" -> {
        s.quit();
        p.complete(OK);
        return;
      }
      case "auth" -> {
        if (cmd.argc() > 3) {
          p.completeError(Errors.SYNTAX);
          return;
        }
        String error = auth(s, cmd, 1, cmd.argc() - 1);
        if (error != null) {
          p.completeError(error);
          return;
        }
        p.complete(OK);
        return;
      }
      case "select" -> {
        int db;
        try {
          db = Integer.parseInt(cmd.string(1));
        } catch (NumberFormatException e) {
          // Redis's text for a non-number; Codis's for a number outside the served databases.
          p.completeError(Errors.NOT_AN_INTEGER);
          return;
        }
        if (db < 0 || db >= s.ctx().backend.databases()) {
          p.completeError(Errors.invalidDbIndex(s.ctx().backend.databases()));
          return;
        }
        s.select(db);
        p.complete(OK);
        return;
      }
      case "hello" -> {
        hello(s, cmd, w, p);
        if (p.done) {
          return;
        }
      }
      case "reset" -> {
        // Like Redis, RESET itself is answered even after CLIENT REPLY OFF (which it ends).
        if (s.client().replyMode() == ClientState.REPLY_OFF) {
          p.silent = false;
        }
        s.reset();
        w.writeSimpleString("RESET");
      }
      case "lolwut" -> {
        toAnyMaster(s, cmd, p);
        return;
      }
      case "time" -> {
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        w.writeArrayHeader(2).writeBulk(Long.toString(micros / 1_000_000)).writeBulk(Long.toString(micros % 1_000_000));
      }
      case "multi", "exec", "discard", "watch", "unwatch" -> {
        Transaction.execute(s, cmd, spec, p);
        return;
      }
      case "slowlog|get", "slowlog|len", "slowlog|reset", "slowlog|help" -> {
        String error = dev.rekko.node.observe.SlowLogCommand.execute(s.ctx().observe.slowLog(), cmd, w);
        if (error != null) {
          p.completeError(error);
          return;
        }
      }
      case "slotshashkey" -> {
        w.writeArrayHeader(cmd.argc() - 1);
        for (int i = 1; i < cmd.argc(); i++) {
          w.writeInteger(SlotHash.slot(cmd.array(i), cmd.offset(i), cmd.length(i)));
        }
      }
      default -> {
        if (spec.name().startsWith("client|")) {
          ClientCommands.execute(s, cmd, spec, w, p);
        } else if (spec.name().startsWith("command")) {
          if (CommandIntrospection.execute(s, cmd, spec, w, p)) {
            return;
          }
        } else if (spec.has(dev.rekko.protocol.command.CommandFlag.PUBSUB)) {
          PubSubCommands.execute(s, cmd, spec, p);
          return;
        } else {
          p.completeError(Errors.notAllowed(spec.displayName()));
        }
        if (p.done) {
          return;
        }
      }
    }
    p.complete(w.toByteArray());
  }

  /** AUTH [user] password, also used by HELLO … AUTH; null on success, else the error text. */
  static String auth(Session s, Command cmd, int from, int count) {
    String configured = s.ctx().proxy.password();
    String user = count == 2 ? cmd.string(from) : "default";
    if (configured.isEmpty()) {
      // Like Redis with a "nopass" default user: only the one-argument form is an error; naming the
      // default user succeeds with any password (clients configured with user+password rely on it).
      if (count != 2) {
        return Errors.AUTH_NOT_CONFIGURED;
      }
      return "default".equals(user) ? null : Errors.WRONGPASS;
    }
    String password = cmd.string(from + count - 1);
    if (!"default".equals(user) || !constantTimeEquals(configured, password)) {
      return Errors.WRONGPASS;
    }
    s.authenticate();
    return null;
  }

  /**
   * Sends {@code cmd} as it is to one group's master (chosen by the session's id, so sessions spread), on
   * the session's connection: for what only Redis knows (LOLWUT's art, ACL categories, key flags).
   */
  static void toAnyMaster(Session s, Command cmd, Pending p) {
    RoutingTable table = s.ctx().router.table();
    if (table == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    java.util.List<dev.rekko.redis.backend.BackendAddress> masters = table.masters();
    if (masters.isEmpty()) {
      p.completeError("ERR no group has a master, try again");
      return;
    }
    s.forward(masters.get((int) Math.floorMod(s.id(), (long) masters.size())), cmd, p, false);
  }

  /**
   * HELLO [protover [AUTH user pass] [SETNAME name]]: 2 or 3; the reply is Redis's fields (a map in
   * RESP3) plus the node's own, {@code rekko-version} and {@code rekko-node} (the address the client
   * reached). The session's later commands go on backend connections speaking the chosen protocol.
   */
  private static void hello(Session s, Command cmd, RespWriter w, Pending p) {
    int i = 1;
    int version = 0;
    if (cmd.argc() > 1) {
      long v;
      try {
        v = Long.parseLong(cmd.string(1));
      } catch (NumberFormatException e) {
        p.completeError("ERR Protocol version is not an integer or out of range");
        return;
      }
      if (v < 2 || v > 3) {
        p.completeError(Errors.NOPROTO);
        return;
      }
      version = (int) v;
      i = 2;
    }
    String setName = null;
    for (; i < cmd.argc(); i++) {
      if (cmd.is(i, "AUTH") && i + 2 < cmd.argc()) {
        String error = auth(s, cmd, i + 1, 2);
        if (error != null) {
          p.completeError(error);
          return;
        }
        i += 2;
      } else if (cmd.is(i, "SETNAME") && i + 1 < cmd.argc()) {
        setName = cmd.string(++i);
      } else {
        p.completeError("ERR Syntax error in HELLO option '" + cmd.string(i) + "'");
        return;
      }
    }
    if (!s.authenticated()) {
      p.completeError(HELLO_NOAUTH);
      return;
    }
    if (setName != null) {
      String error = ClientCommands.validName(setName);
      if (error != null) {
        p.completeError(error);
        return;
      }
      s.client().rename(setName);
    }
    if (version != 0) {
      s.protocol(version);
    }
    Replies.writeMapHeader(w, s.protocol(), 9)
        .writeBulk("server").writeBulk("redis")
        .writeBulk("version").writeBulk(REDIS_VERSION)
        .writeBulk("proto").writeInteger(s.protocol())
        .writeBulk("id").writeInteger(s.id())
        .writeBulk("mode").writeBulk("standalone")
        .writeBulk("role").writeBulk("master")
        .writeBulk("modules").writeArrayHeader(0)
        .writeBulk("rekko-version").writeBulk(InfoText.version())
        .writeBulk("rekko-node").writeBulk(s.client().local());
  }

  static int parseInt(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
