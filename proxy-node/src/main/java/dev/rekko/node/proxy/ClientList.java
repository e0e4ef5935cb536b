package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RespWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * CLIENT INFO, LIST and KILL over the node's own sessions, with Redis 7.0's fields, filters and errors.
 * Another node's clients are not listed or killed: each node answers for the connections it holds.
 *
 * <p>A line has every field of Redis 7.0's (and 7.2's lib-name, lib-ver), in its order. Fields without a
 * meaning for a proxy have a fixed value: {@code fd=-1}, buffer sizes Rekko does not keep 0,
 * {@code multi=-1}, {@code redir=-1} (no tracking), {@code user=default}.
 */
final class ClientList {
  private ClientList() {}

  /** One line in the shape of Redis's CLIENT INFO, without the line end. */
  static String describe(Session s) {
    long now = System.nanoTime();
    long owed = s.held().owed();
    long query = s.held().queryBytes();
    return "id=" + s.id()
        + " addr=" + s.remote()
        + " laddr=" + s.client().local()
        + " fd=-1"
        + " name=" + (s.client().name() == null ? "" : s.client().name())
        + " age=" + (System.currentTimeMillis() - s.createdMillis()) / 1000
        + " idle=" + Math.max(0, now - s.client().lastNanos()) / 1_000_000_000L
        + " flags=" + flags(s)
        + " db=" + s.db()
        + subscriptions(s.pubsubIfAny()) + " multi=-1"
        + " qbuf=" + query
        + " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0"
        + " omem=" + owed
        + " tot-mem=" + (owed + query)
        + " events=r"
        + " cmd=" + (s.client().lastCommand() == null ? "NULL" : s.client().lastCommand().name())
        + " user=default redir=-1"
        + " resp=" + s.protocol()
        + " lib-name=" + (s.client().libName() == null ? "" : s.client().libName())
        + " lib-ver=" + (s.client().libVersion() == null ? "" : s.client().libVersion());
  }

  /** Redis's one-letter flags, in its order; N for none. */
  static String flags(Session s) {
    StringBuilder f = new StringBuilder(2);
    if (s.pubsubIfAny() != null && s.pubsubIfAny().subscribed()) {
      f.append('P');
    }
    if (s.client().noEvict()) {
      f.append('e');
    }
    if (s.client().noTouch()) {
      f.append('T');
    }
    return f.length() == 0 ? "N" : f.toString();
  }

  /** Redis's client type: pubsub for a session holding a subscription, else normal. */
  static String type(Session s) {
    SessionPubSub ps = s.pubsubIfAny();
    return ps != null && ps.subscribed() ? "pubsub" : "normal";
  }

  /** The sub, psub and ssub fields; read from another session's thread, so only a snapshot. */
  private static String subscriptions(SessionPubSub ps) {
    if (ps == null) {
      return " sub=0 psub=0 ssub=0";
    }
    return " sub=" + ps.count(dev.rekko.redis.pubsub.PubSubKind.CHANNEL)
        + " psub=" + ps.count(dev.rekko.redis.pubsub.PubSubKind.PATTERN)
        + " ssub=" + ps.count(dev.rekko.redis.pubsub.PubSubKind.SHARD);
  }

  /** Redis's client type names, normalised ({@code replica} is {@code slave}); null when unknown. */
  static String typeByName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "normal", "pubsub", "master" -> name.toLowerCase(Locale.ROOT);
      case "slave", "replica" -> "slave";
      default -> null;
    };
  }

  /** The node's sessions by id, as Redis lists clients in connection order. */
  static List<Session> sessions(Session self) {
    List<Session> all = new ArrayList<>(self.ctx().sessions);
    if (!all.contains(self)) {
      all.add(self);
    }
    all.sort(Comparator.comparingLong(Session::id));
    return all;
  }

  /** CLIENT LIST [TYPE type | ID id [id …]]; null when written, else the error. */
  static String list(Session s, Command cmd, RespWriter w) {
    StringBuilder out = new StringBuilder(256);
    if (cmd.argc() == 4 && cmd.is(2, "TYPE")) {
      String type = typeByName(cmd.string(3));
      if (type == null) {
        return "ERR Unknown client type '" + cmd.string(3) + "'";
      }
      for (Session c : sessions(s)) {
        if (type(c).equals(type)) {
          out.append(describe(c)).append('\n');
        }
      }
    } else if (cmd.argc() > 3 && cmd.is(2, "ID")) {
      List<Session> all = sessions(s);
      for (int i = 3; i < cmd.argc(); i++) {
        long id;
        try {
          id = Long.parseLong(cmd.string(i));
        } catch (NumberFormatException e) {
          return "ERR Invalid client ID";
        }
        for (Session c : all) {
          if (c.id() == id) {
            out.append(describe(c)).append('\n');
          }
        }
      }
    } else if (cmd.argc() != 2) {
      return Errors.SYNTAX;
    } else {
      for (Session c : sessions(s)) {
        out.append(describe(c)).append('\n');
      }
    }
    Replies.writeText(w, s.protocol(), out.toString());
    return null;
  }

  /**
   * CLIENT KILL addr (the old form: OK, or an error when no client has that address; it may kill the
   * caller), or CLIENT KILL with filters ID, TYPE, ADDR, LADDR, USER, SKIPME (the count killed; the
   * caller is skipped unless SKIPME no). Another session is closed by its own thread at once, its
   * unwritten replies dropped; the caller is closed once this reply is written, as Redis does.
   */
  static String kill(Session s, Command cmd, RespWriter w) {
    String addr = null;
    String laddr = null;
    String type = null;
    long id = 0;
    boolean skipMe = true;
    if (cmd.argc() == 3) {
      addr = cmd.string(2);
      skipMe = false;
    } else {
      for (int i = 2; i < cmd.argc(); i += 2) {
        if (i + 1 >= cmd.argc()) {
          return Errors.SYNTAX;
        }
        String value = cmd.string(i + 1);
        if (cmd.is(i, "ID")) {
          try {
            id = Long.parseLong(value);
          } catch (NumberFormatException e) {
            id = 0;
          }
          if (id < 1) {
            return "ERR client-id should be greater than 0";
          }
        } else if (cmd.is(i, "TYPE")) {
          type = typeByName(value);
          if (type == null) {
            return "ERR Unknown client type '" + value + "'";
          }
        } else if (cmd.is(i, "ADDR")) {
          addr = value;
        } else if (cmd.is(i, "LADDR")) {
          laddr = value;
        } else if (cmd.is(i, "USER")) {
          if (!value.equals("default")) {
            return "ERR No such user '" + value + "'";
          }
        } else if (cmd.is(i, "SKIPME")) {
          if (value.equalsIgnoreCase("yes")) {
            skipMe = true;
          } else if (value.equalsIgnoreCase("no")) {
            skipMe = false;
          } else {
            return Errors.SYNTAX;
          }
        } else {
          return Errors.SYNTAX;
        }
      }
    }
    int killed = 0;
    for (Session c : sessions(s)) {
      if (addr != null && !addr.equals(c.remote()) || laddr != null && !laddr.equals(c.client().local())
          || type != null && !type.equals(type(c)) || id != 0 && c.id() != id || c == s && skipMe) {
        continue;
      }
      if (c == s) {
        s.quit();
        killed++;
      } else if (c.held().doom(0)) {
        killed++;
      }
    }
    if (cmd.argc() == 3) {
      if (killed == 0) {
        return "ERR No such client";
      }
      w.writeSimpleString("OK");
    } else {
      w.writeInteger(killed);
    }
    return null;
  }
}
