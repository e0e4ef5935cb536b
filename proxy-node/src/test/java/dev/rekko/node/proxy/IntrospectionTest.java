package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CLIENT LIST/KILL/NO-EVICT/NO-TOUCH/REPLY over the node's own sessions, multi-section INFO, COMMAND
 * LIST filters, and the keyed introspection commands (OBJECT, MEMORY USAGE, DUMP/RESTORE, COPY), each
 * compared with a Redis 7.0 of its own where Redis has an answer.
 */
class IntrospectionTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).reference().perClass();

  private static RespSocket rekko() throws Exception {
    return fx.socket();
  }

  private static RespSocket redis() throws Exception {
    return fx.socket(fx.reference());
  }

  private static String field(String line, String name) {
    return Arrays.stream(line.trim().split(" ")).filter(f -> f.startsWith(name + "=")).findFirst()
        .map(f -> f.substring(name.length() + 1)).orElseThrow();
  }

  @Test
  void clientListShowsEverySessionOfTheNodeAndFiltersAsRedis() throws Exception {
    RespSocket a = rekko();
    RespSocket b = rekko();
    long idA = (Long) a.call("CLIENT", "ID");
    long idB = (Long) b.call("CLIENT", "ID");
    b.call("CLIENT", "SETNAME", "bee");
    b.call("SELECT", "3");
    String all = (String) a.call("CLIENT", "LIST");
    List<String> lines = all.lines().toList();
    assertThat(lines).anyMatch(l -> l.startsWith("id=" + idA + " ")).anyMatch(l -> l.startsWith("id=" + idB + " "));
    String lineB = lines.stream().filter(l -> l.startsWith("id=" + idB + " ")).findFirst().orElseThrow();
    assertThat(field(lineB, "name")).isEqualTo("bee");
    assertThat(field(lineB, "db")).isEqualTo("3");
    assertThat(field(lineB, "cmd")).isEqualTo("select");
    assertThat(field(lineB, "flags")).isEqualTo("N");
    String lineA = lines.stream().filter(l -> l.startsWith("id=" + idA + " ")).findFirst().orElseThrow();
    assertThat(field(lineA, "cmd")).isEqualTo("client|list");
    assertThat(field(lineA, "laddr")).isEqualTo("127.0.0.1:" + fx.node().respPort());
    // Sorted by id, as Redis lists in connection order.
    List<Long> ids = lines.stream().map(l -> Long.parseLong(field(l, "id"))).toList();
    assertThat(ids).isSorted();
    assertThat((String) a.call("CLIENT", "LIST", "ID", Long.toString(idB), "999999", Long.toString(idA)))
        .startsWith("id=" + idB + " ").contains("\nid=" + idA + " ");
    assertThat((String) a.call("CLIENT", "LIST", "TYPE", "normal")).contains("id=" + idB + " ");
    RespSocket r = redis();
    for (String[] cmd : List.of(new String[] {"CLIENT", "LIST", "TYPE", "pubsub"},
        new String[] {"CLIENT", "LIST", "TYPE", "master"}, new String[] {"CLIENT", "LIST", "TYPE", "foo"},
        new String[] {"CLIENT", "LIST", "ID", "abc"}, new String[] {"CLIENT", "LIST", "ID", "999999"},
        new String[] {"CLIENT", "LIST", "FOO"}, new String[] {"CLIENT", "LIST", "ID"},
        new String[] {"CLIENT", "LIST", "TYPE"}, new String[] {"CLIENT", "INFO", "x"})) {
      assertThat(a.call(cmd)).as(String.join(" ", cmd)).isEqualTo(r.call(cmd));
    }
  }

  @Test
  void clientKillFiltersAndErrorsAsRedis() throws Exception {
    RespSocket me = rekko();
    RespSocket r = redis();
    for (String[] cmd : List.of(new String[] {"CLIENT", "KILL", "1.2.3.4:5"},
        new String[] {"CLIENT", "KILL", "ID", "abc"}, new String[] {"CLIENT", "KILL", "ID", "0"},
        new String[] {"CLIENT", "KILL", "ID", "999999"}, new String[] {"CLIENT", "KILL", "TYPE", "foo"},
        new String[] {"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "maybe"},
        new String[] {"CLIENT", "KILL", "USER", "bob"}, new String[] {"CLIENT", "KILL", "USER", "default", "ID", "999999"},
        new String[] {"CLIENT", "KILL", "ADDR"}, new String[] {"CLIENT", "KILL", "ADDR", "1.2.3.4:5", "LADDR"},
        new String[] {"CLIENT", "KILL", "FOO", "bar"}, new String[] {"CLIENT", "KILL", "TYPE", "master"})) {
      assertThat(me.call(cmd)).as(String.join(" ", cmd)).isEqualTo(r.call(cmd));
    }
    String myInfo = (String) me.call("CLIENT", "INFO");
    String myAddr = field(myInfo, "addr");
    String laddr = field(myInfo, "laddr");
    // SKIPME is yes by default: the caller survives a filter that matches it.
    assertThat(me.call("CLIENT", "KILL", "ADDR", myAddr)).isEqualTo(0L);
    assertThat(me.call("PING")).isEqualTo("PONG");

    RespSocket victim = rekko();
    long victimId = (Long) victim.call("CLIENT", "ID");
    assertThat(me.call("CLIENT", "KILL", "LADDR", "1.2.3.4:5", "ID", Long.toString(victimId))).isEqualTo(0L);
    assertThat(me.call("CLIENT", "KILL", "LADDR", laddr, "ID", Long.toString(victimId), "USER", "default"))
        .isEqualTo(1L);
    assertThat(victim.closedByServer()).isTrue();

    RespSocket old = rekko();
    String oldAddr = field((String) old.call("CLIENT", "INFO"), "addr");
    assertThat(me.call("CLIENT", "KILL", oldAddr)).isEqualTo("OK");
    assertThat(old.closedByServer()).isTrue();
    assertThat(me.call("CLIENT", "KILL", oldAddr)).isEqualTo(new RespSocket.Err("ERR No such client"));

    // The caller itself, with SKIPME no: answered, then closed; what it pipelined after is not run.
    RespSocket self = rekko();
    long selfId = (Long) self.call("CLIENT", "ID");
    self.write(concat(RespSocket.encode("CLIENT", "KILL", "ID", Long.toString(selfId), "SKIPME", "no"),
        RespSocket.encode("SET", "killed:after", "1")));
    assertThat(self.read()).isEqualTo(1L);
    assertThat(self.closedByServer()).isTrue();
    assertThat(me.call("EXISTS", "killed:after")).isEqualTo(0L);
  }

  @Test
  void noEvictAndNoTouchAreStoredAndShown() throws Exception {
    RespSocket s = rekko();
    RespSocket r = redis();
    assertThat(s.call("CLIENT", "NO-EVICT", "maybe")).isEqualTo(r.call("CLIENT", "NO-EVICT", "maybe"));
    assertThat(s.call("CLIENT", "NO-EVICT", "on")).isEqualTo("OK");
    assertThat(field((String) s.call("CLIENT", "INFO"), "flags")).isEqualTo("e");
    assertThat(s.call("CLIENT", "NO-TOUCH", "ON")).isEqualTo("OK");
    assertThat(field((String) s.call("CLIENT", "INFO"), "flags")).isEqualTo("eT");
    assertThat(s.call("CLIENT", "NO-EVICT", "off")).isEqualTo("OK");
    assertThat(s.call("CLIENT", "NO-TOUCH", "off")).isEqualTo("OK");
    assertThat(field((String) s.call("CLIENT", "INFO"), "flags")).isEqualTo("N");
    assertThat(s.call("CLIENT", "NO-TOUCH", "x")).isEqualTo(new RespSocket.Err("ERR syntax error"));
    s.call("CLIENT", "NO-EVICT", "on");
    assertThat(s.call("RESET")).isEqualTo("RESET");
    assertThat(field((String) s.call("CLIENT", "INFO"), "flags")).isEqualTo("N");
  }

  @Test
  void clientReplyOffAndSkipSilenceRepliesAsRedis() throws Exception {
    for (int port : new int[] {fx.node().respPort(), fx.reference().port()}) {
      try (RawResp s = new RawResp(port)) {
        String k = "reply:" + port;
        s.send("CLIENT", "REPLY", "OFF");
        s.send("SET", k, "1");
        s.send("GET", k);
        s.send("GET");
        s.send("CLIENT", "REPLY", "SKIP");
        s.send("CLIENT", "REPLY", "ON");
        s.send("GET", k);
        assertThat(s.read()).as("port %d", port).isEqualTo("+OK\r\n");
        assertThat(s.read()).isEqualTo("$1\r\n1\r\n");
        s.send("CLIENT", "REPLY", "SKIP");
        s.send("INCR", k);
        s.send("GET", k);
        assertThat(s.read()).isEqualTo("$1\r\n2\r\n");
        s.send("CLIENT", "REPLY", "MAYBE");
        assertThat(s.read()).isEqualTo("-ERR syntax error\r\n");
        s.send("CLIENT", "REPLY", "OFF");
        s.send("RESET");
        assertThat(s.read()).isEqualTo("+RESET\r\n");
        assertThat(s.call("PING")).isEqualTo("+PONG\r\n");
      }
    }
  }

  @Test
  void infoTakesSeveralSectionsAsRedis() throws Exception {
    RespSocket s = rekko();
    RespSocket r = redis();
    String two = (String) s.call("INFO", "server", "CLIENTS");
    assertThat(two).startsWith("# Server\r\n").contains("\r\n\r\n# Clients\r\n").doesNotContain("# Memory")
        .doesNotContain("# Keyspace").endsWith("\r\n").doesNotEndWith("\r\n\r\n");
    // Sections come out in a fixed order, whatever the order asked, as Redis's.
    assertThat((String) s.call("INFO", "clients", "server")).startsWith("# Server\r\n").contains("\r\n\r\n# Clients\r\n");
    String theirs = (String) r.call("INFO", "clients", "server");
    assertThat(theirs.indexOf("# Server")).isLessThan(theirs.indexOf("# Clients"));
    String keyspace = (String) s.call("INFO", "CLIENTS", "keyspace", "nosuch");
    assertThat(keyspace).startsWith("# Clients\r\n").contains("\r\n\r\n# Keyspace\r\n").doesNotContain("# Server");
    for (String every : List.of("all", "everything", "default")) {
      assertThat((String) s.call("INFO", every)).as(every)
          .contains("# Server", "# Clients", "# Memory", "# Stats", "# Proxy", "# Keyspace");
    }
    assertThat(s.call("INFO", "nosuch")).isEqualTo(r.call("INFO", "nosuch"));
  }

  @Test
  void commandListFiltersAndGetKeysAndFlagsAsRedis() throws Exception {
    RespSocket s = rekko();
    RespSocket r = redis();
    for (String[] cmd : List.of(new String[] {"COMMAND", "LIST", "FILTERBY", "PATTERN", "xinfo*"},
        new String[] {"COMMAND", "LIST", "FILTERBY", "PATTERN", "CLIENT|[j-m]*"},
        new String[] {"COMMAND", "LIST", "FILTERBY", "ACLCAT", "hyperloglog"},
        new String[] {"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcat"},
        new String[] {"COMMAND", "LIST", "FILTERBY", "MODULE", "foo"})) {
      @SuppressWarnings("unchecked")
      List<Object> theirs = (List<Object>) r.call(cmd);
      @SuppressWarnings("unchecked")
      List<Object> ours = (List<Object>) s.call(cmd);
      assertThat(ours).as(String.join(" ", cmd)).containsExactlyInAnyOrderElementsOf(theirs);
    }
    for (String[] cmd : List.of(new String[] {"COMMAND", "LIST", "FILTERBY"},
        new String[] {"COMMAND", "LIST", "FILTERBY", "nope", "x"},
        new String[] {"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v"},
        new String[] {"COMMAND", "GETKEYSANDFLAGS", "LMOVE", "a", "b", "LEFT", "RIGHT"},
        new String[] {"COMMAND", "GETKEYSANDFLAGS", "SORT", "src", "STORE", "dst"},
        new String[] {"COMMAND", "GETKEYSANDFLAGS", "PING"},
        new String[] {"COMMAND", "GETKEYSANDFLAGS", "nosuch", "x"},
        new String[] {"COMMAND", "INFO", "nosuch"})) {
      assertThat(s.call(cmd)).as(String.join(" ", cmd)).isEqualTo(r.call(cmd));
    }
    assertThat((List<?>) s.call("COMMAND", "LIST")).hasSize(CommandTableSize.all());
  }

  @Test
  void keyedIntrospectionGoesToTheKeysGroup() throws Exception {
    RespSocket s = rekko();
    RespSocket r = redis();
    String h = fx.keyInGroup("intro:h", 2);
    for (RespSocket c : List.of(s, r)) {
      c.call("SELECT", "5");
      c.call("HSET", h, "a", "1", "b", "2");
    }
    for (String[] cmd : List.of(new String[] {"OBJECT", "ENCODING", h}, new String[] {"OBJECT", "REFCOUNT", h},
        new String[] {"OBJECT", "FREQ", h}, new String[] {"OBJECT", "ENCODING", "missing"},
        new String[] {"DUMP", h}, new String[] {"COPY", h, "{" + h + "}copy"},
        new String[] {"COPY", h, "other"}, new String[] {"COPY", h, "{" + h + "}copy"},
        new String[] {"HGETALL", "{" + h + "}copy"}, new String[] {"LOLWUT"})) {
      Object ours = s.call(cmd);
      Object theirs = r.call(cmd);
      String what = String.join(" ", cmd);
      if (what.equals("COPY " + h + " other")) {
        assertThat(ours).as(what).isEqualTo(new RespSocket.Err("CROSSSLOT Keys in request don't hash to the same slot"));
      } else {
        assertThat(ours).as(what).isEqualTo(theirs);
      }
    }
    assertThat((Long) s.call("MEMORY", "USAGE", h)).isPositive();
    assertThat(s.call("OBJECT", "IDLETIME", h)).isInstanceOf(Long.class);
    assertThat((String) s.call("LOLWUT", "VERSION", "5", "1", "1", "1")).contains("Georg Nees");
    // DUMP's bytes are Redis's; RESTORE brings them back under another key.
    redis.clients.jedis.Jedis j = fx.jedis(fx.node(), b -> b.database(5));
    redis.clients.jedis.Jedis direct = fx.direct(fx.reference());
    direct.select(5);
    byte[] dump = j.dump(h.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(dump).isEqualTo(direct.dump(h.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    String restored = "{" + h + "}restored";
    assertThat(j.restore(restored.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, dump)).isEqualTo("OK");
    assertThat(j.hgetAll(restored)).isEqualTo(java.util.Map.of("a", "1", "b", "2"));
    assertThat((List<?>) s.call("TIME")).hasSize(2);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** The table's size as COMMAND LIST counts it: commands and subcommands. */
  private static final class CommandTableSize {
    static int all() {
      return dev.rekko.protocol.command.CommandTable.all().size();
    }
  }
}
