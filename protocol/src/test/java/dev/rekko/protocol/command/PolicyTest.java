package dev.rekko.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.Args;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The policy decisions; their reasons are in protocol/COMMANDS.md. */
class PolicyTest {
  /** Refused by Codis 3.2 (CODIS-NOTES.md). */
  private static final List<String> CODIS_REFUSED = List.of("KEYS", "MIGRATE", "MOVE", "OBJECT",
      "RANDOMKEY", "RENAME", "RENAMENX", "SCAN", "BITOP", "MSETNX", "BLPOP", "BRPOP", "BRPOPLPUSH",
      "PSUBSCRIBE", "PUBLISH", "PUNSUBSCRIBE", "SUBSCRIBE", "UNSUBSCRIBE", "DISCARD", "EXEC", "MULTI",
      "UNWATCH", "WATCH", "SCRIPT", "BGREWRITEAOF", "BGSAVE", "CLIENT", "CONFIG", "DBSIZE", "DEBUG",
      "FLUSHALL", "FLUSHDB", "LASTSAVE", "LATENCY", "MONITOR", "PSYNC", "REPLCONF", "RESTORE", "SAVE",
      "SHUTDOWN", "SLAVEOF", "SLOWLOG", "SYNC", "TIME", "WAIT", "CLUSTER", "READONLY", "READWRITE");

  /** Codis-refused commands Rekko serves on purpose, with the policy it chose (see COMMANDS.md). */
  private static final Map<String, Policy> DELIBERATE = Map.ofEntries(
      Map.entry("rename", Policy.SINGLE_SLOT), Map.entry("renamenx", Policy.SINGLE_SLOT),
      Map.entry("bitop", Policy.SINGLE_SLOT), Map.entry("msetnx", Policy.SINGLE_SLOT),
      Map.entry("restore", Policy.SINGLE_SLOT), Map.entry("object|encoding", Policy.SINGLE_SLOT),
      Map.entry("object|freq", Policy.SINGLE_SLOT), Map.entry("object|idletime", Policy.SINGLE_SLOT),
      Map.entry("object|refcount", Policy.SINGLE_SLOT), Map.entry("dbsize", Policy.FANOUT),
      Map.entry("flushall", Policy.FANOUT), Map.entry("flushdb", Policy.FANOUT), Map.entry("keys", Policy.FANOUT),
      Map.entry("scan", Policy.FANOUT), Map.entry("randomkey", Policy.FANOUT),
      Map.entry("time", Policy.PROXY), Map.entry("client|setname", Policy.PROXY),
      Map.entry("client|getname", Policy.PROXY), Map.entry("client|setinfo", Policy.PROXY),
      Map.entry("client|id", Policy.PROXY), Map.entry("client|info", Policy.PROXY),
      Map.entry("client|list", Policy.PROXY), Map.entry("blpop", Policy.BLOCKING),
      Map.entry("brpop", Policy.BLOCKING), Map.entry("brpoplpush", Policy.BLOCKING),
      Map.entry("wait", Policy.BLOCKING), Map.entry("config|get", Policy.FANOUT),
      Map.entry("config|set", Policy.FANOUT), Map.entry("config|resetstat", Policy.FANOUT),
      Map.entry("script|load", Policy.FANOUT), Map.entry("script|exists", Policy.FANOUT),
      Map.entry("script|flush", Policy.FANOUT), Map.entry("script|kill", Policy.FANOUT),
      Map.entry("subscribe", Policy.PROXY), Map.entry("psubscribe", Policy.PROXY),
      Map.entry("unsubscribe", Policy.PROXY), Map.entry("punsubscribe", Policy.PROXY),
      Map.entry("publish", Policy.PROXY), Map.entry("client|kill", Policy.PROXY),
      Map.entry("client|no-evict", Policy.PROXY), Map.entry("client|no-touch", Policy.PROXY),
      Map.entry("client|reply", Policy.PROXY), Map.entry("multi", Policy.PROXY),
      Map.entry("exec", Policy.PROXY), Map.entry("discard", Policy.PROXY), Map.entry("watch", Policy.PROXY),
      Map.entry("unwatch", Policy.PROXY), Map.entry("slowlog|get", Policy.PROXY),
      Map.entry("slowlog|len", Policy.PROXY), Map.entry("slowlog|reset", Policy.PROXY),
      Map.entry("slowlog|help", Policy.PROXY));

  /** Sent to every server or master, or asked of one master (COMMANDS.md, "CONFIG, scripts and functions"). */
  private static final List<String> SERVER_WIDE = List.of("config|get", "config|set", "config|resetstat",
      "script|load", "script|exists", "script|flush", "script|kill", "function|load", "function|delete",
      "function|flush", "function|restore", "function|list", "function|dump", "function|stats", "function|kill");

  /** Pub/sub: the node's own subscriptions over shared subscriber connections (COMMANDS.md, "Pub/sub"). */
  private static final List<String> PUBSUB = List.of("subscribe", "psubscribe", "ssubscribe", "unsubscribe",
      "punsubscribe", "sunsubscribe", "publish", "spublish", "pubsub|channels", "pubsub|numpat",
      "pubsub|numsub", "pubsub|shardchannels", "pubsub|shardnumsub");

  /** Codis's "half supported" commands: Rekko checks every key instead of hashing the first. */
  private static final List<String> CODIS_HALF_SUPPORTED = List.of("rpoplpush", "sdiff", "sdiffstore",
      "sinter", "sinterstore", "smove", "sunion", "sunionstore", "zinterstore", "zunionstore", "pfmerge",
      "eval", "evalsha");

  @Test
  void codisRefusedCommandsStayRefusedUnlessDeliberatelyServed() {
    for (String name : CODIS_REFUSED) {
      CommandSpec spec = CommandTable.lookup(name);
      assertThat(spec).as(name).isNotNull();
      List<CommandSpec> decided = spec.isContainer() ? List.copyOf(spec.subcommands()) : List.of(spec);
      for (CommandSpec s : decided) {
        assertThat(s.policy()).as(s.name()).isEqualTo(DELIBERATE.getOrDefault(s.name(), Policy.REFUSED));
      }
    }
  }

  @Test
  void codisHalfSupportedCommandsNeedOneSlot() {
    for (String name : CODIS_HALF_SUPPORTED) {
      assertThat(CommandTable.lookup(name).policy()).as(name).isEqualTo(Policy.SINGLE_SLOT);
    }
  }

  @Test
  void splitAndFanoutAreExactlyTheListedCommands() {
    assertThat(names(Policy.SPLIT)).containsExactlyInAnyOrder("mget", "mset", "del", "exists", "touch",
        "unlink");
    List<String> fanout = new java.util.ArrayList<>(List.of("dbsize", "info", "flushall", "flushdb", "keys",
        "scan", "randomkey"));
    fanout.addAll(SERVER_WIDE);
    assertThat(names(Policy.FANOUT)).containsExactlyInAnyOrderElementsOf(fanout);
  }

  @Test
  void theProxyAnswersWhatClientsSendOnConnect() {
    assertThat(names(Policy.PROXY)).containsExactlyInAnyOrder("ping", "echo", "quit", "auth", "select",
        "hello", "reset", "time", "slotshashkey", "command", "command|count", "command|docs",
        "command|getkeys", "command|getkeysandflags", "command|info", "command|list", "client|setname",
        "client|getname", "client|setinfo", "client|id", "client|info", "client|list", "subscribe",
        "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "publish", "spublish",
        "pubsub|channels", "pubsub|numpat", "pubsub|numsub", "pubsub|shardchannels", "pubsub|shardnumsub", "client|kill", "client|no-evict", "client|no-touch", "client|reply",
        "lolwut", "multi", "exec", "discard", "watch", "unwatch", "slowlog|get", "slowlog|len", "slowlog|reset",
        "slowlog|help");
  }

  @Test
  void blockingCommandsGetAConnectionOfTheirOwn() {
    assertThat(names(Policy.BLOCKING)).containsExactlyInAnyOrder("blpop", "brpop", "brpoplpush", "blmove",
        "blmpop", "bzpopmin", "bzpopmax", "bzmpop", "xread", "xreadgroup", "wait");
    for (CommandSpec s : CommandTable.all()) {
      if (s.has(CommandFlag.BLOCKING) && !s.name().equals("waitaof")) {
        assertThat(s.policy()).as(s.name()).isEqualTo(Policy.BLOCKING);
      }
    }
  }

  @Test
  void pubsubIsServedExceptHelp() {
    for (String name : PUBSUB) {
      assertThat(CommandTable.lookup(Args.of(name.split("\\|"))).policy()).as(name).isEqualTo(Policy.PROXY);
    }
    assertThat(CommandTable.lookup(Args.of("PUBSUB", "HELP")).policy()).isEqualTo(Policy.REFUSED);
  }

  @Test
  void adminAndTransactionsAreRefused() {
    for (CommandSpec s : CommandTable.all()) {
      boolean served = List.of("client|list", "client|kill", "client|no-evict", "slowlog|get", "slowlog|len",
              "slowlog|reset").contains(s.name())
          || SERVER_WIDE.contains(s.name());
      if (s.has(CommandFlag.PUBSUB) && !PUBSUB.contains(s.name()) || s.has(CommandFlag.ADMIN) && !served) {
        assertThat(s.policy()).as(s.name()).isEqualTo(Policy.REFUSED);
      }
    }
    for (String name : List.of("waitaof", "swapdb", "move", "migrate",
        "restore-asking", "config|rewrite", "script|debug", "readonly", "readwrite", "client|tracking")) {
      assertThat(CommandTable.lookup(name).policy()).as(name).isEqualTo(Policy.REFUSED);
    }
    assertThat(CommandTable.lookup("fcall").policy()).isEqualTo(Policy.SINGLE_SLOT);
    assertThat(CommandTable.lookup("fcall_ro").policy()).isEqualTo(Policy.SINGLE_SLOT);
  }

  @Test
  void helpSubcommandsAreRefusedButTheNodesOwnSlowLogs() {
    assertThat(CommandTable.all().stream().filter(s -> s.name().endsWith("|help") && !s.name().equals("slowlog|help")))
        .isNotEmpty().allMatch(s -> s.policy() == Policy.REFUSED);
  }

  @Test
  void slotPoliciesNeedKeysAndKeylessCommandsAreNeverRouted() {
    for (CommandSpec s : CommandTable.all()) {
      if (s.policy() == Policy.SINGLE_SLOT || s.policy() == Policy.SPLIT
          || s.policy() == Policy.BLOCKING && !s.name().equals("wait")) {
        assertThat(s.keySpecs()).as(s.name()).isNotEmpty();
      }
    }
  }

  @Test
  void refusesOnlyTheFormsThatCannotWork() {
    assertThat(refusal("XREAD", "BLOCK", "0", "STREAMS", "a", "0")).isNull();
    assertThat(refusal("XREADGROUP", "GROUP", "g", "c", "block", "10", "STREAMS", "a", ">")).isNull();
    assertThat(refusal("XREAD", "COUNT", "1", "STREAMS", "a", "0")).isNull();
    assertThat(refusal("XREAD", "STREAMS", "block", "0")).isNull();
    assertThat(refusal("SORT", "k", "BY", "w_*")).isEqualTo(
        "ERR handle request, command 'SORT' with a BY or GET pattern is not allowed");
    assertThat(refusal("SORT_RO", "k", "GET", "#", "GET", "h_*->f")).isNotNull();
    assertThat(refusal("SORT", "k", "BY", "nosort", "GET", "#", "STORE", "d")).isNull();
    assertThat(refusal("SORT", "k", "STORE", "by*", "LIMIT", "0", "1")).isNull();
    assertThat(refusal("COPY", "a", "b", "REPLACE", "DB", "1")).isEqualTo(
        "ERR handle request, command 'COPY' with DB is not allowed");
    assertThat(refusal("COPY", "a", "db")).isNull();
    assertThat(refusal("BLPOP", "a", "0")).isNull();
    assertThat(refusal("WAITAOF", "0", "0", "0")).isEqualTo("ERR handle request, command 'WAITAOF' is not allowed");
  }

  private static String refusal(String... argv) {
    Args args = Args.of(argv);
    return CommandTable.lookup(args).refusal(args);
  }

  private static Set<String> names(Policy policy) {
    return CommandTable.all().stream().filter(s -> s.policy() == policy).map(CommandSpec::name)
        .collect(Collectors.toSet());
  }
}
