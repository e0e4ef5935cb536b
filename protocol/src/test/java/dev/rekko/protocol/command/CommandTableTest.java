package dev.rekko.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rekko.protocol.Args;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandTableTest {

  @Test
  void looksUpNamesInAnyCase() {
    CommandSpec get = CommandTable.lookup(Args.of("get", "k"));
    assertThat(get.name()).isEqualTo("get");
    assertThat(CommandTable.lookup(Args.of("GET", "k"))).isSameAs(get);
    assertThat(CommandTable.lookup(Args.of("gEt", "k"))).isSameAs(get);
    assertThat(CommandTable.lookup(Args.of("getx", "k"))).isNull();
    assertThat(CommandTable.lookup(Args.of("ge", "k"))).isNull();
    assertThat(CommandTable.lookup(Args.of(new byte[0][]))).isNull();
  }

  @Test
  void everyNameIsFoundInUpperAndLowerCase() {
    for (CommandSpec spec : CommandTable.all()) {
      String[] parts = spec.name().split("\\|");
      String[] upper = parts.length == 1 ? new String[] {parts[0].toUpperCase()}
          : new String[] {parts[0].toUpperCase(), parts[1].toUpperCase(), "x", "y", "z"};
      assertThat(CommandTable.lookup(Args.of(upper))).as(spec.name()).isSameAs(spec);
      assertThat(CommandTable.lookup(spec.name())).isSameAs(spec);
      assertThat(CommandTable.lookup(spec.displayName())).isSameAs(spec);
    }
  }

  @Test
  void readsNamesFromSlicesOfASharedBuffer() {
    byte[] buf = "xxCLIENTsetNAMEbob".getBytes(StandardCharsets.US_ASCII);
    Args args = new SliceArgs(buf, new int[] {2, 8, 15}, new int[] {6, 7, 3});
    assertThat(CommandTable.lookup(args).name()).isEqualTo("client|setname");
  }

  @Test
  void resolvesSubcommandsOfContainers() {
    assertThat(CommandTable.lookup(Args.of("client", "setname", "a")).name()).isEqualTo("client|setname");
    assertThat(CommandTable.lookup(Args.of("Config", "GET", "x")).name()).isEqualTo("config|get");
    assertThat(CommandTable.lookup(Args.of("OBJECT", "encoding", "k")).name()).isEqualTo("object|encoding");
    CommandSpec client = CommandTable.lookup(Args.of("client"));
    assertThat(client.isContainer()).isTrue();
    assertThat(client.subcommand("SETNAME").container()).isSameAs(client);
    assertThat(CommandTable.lookup(Args.of("client", "nosuch"))).isSameAs(client);
    // Not a container: argument 1 is just an argument.
    assertThat(CommandTable.lookup(Args.of("get", "setname")).name()).isEqualTo("get");
  }

  @Test
  void rejectsInRedisOrder() {
    assertThat(reject("foo", "a", "b")).isEqualTo("ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
    assertThat(reject("client", "foo")).isEqualTo("ERR unknown subcommand 'foo'. Try CLIENT HELP.");
    assertThat(reject("client")).isEqualTo("ERR wrong number of arguments for 'client' command");
    assertThat(reject("client", "setname")).isEqualTo(
        "ERR wrong number of arguments for 'client|setname' command");
    assertThat(reject("GET")).isEqualTo("ERR wrong number of arguments for 'get' command");
    assertThat(reject("swapdb", "0", "1")).isEqualTo("ERR handle request, command 'SWAPDB' is not allowed");
    assertThat(reject("config", "rewrite")).isEqualTo(
        "ERR handle request, command 'CONFIG REWRITE' is not allowed");
    assertThat(reject("get", "k")).isNull();
    assertThat(reject("command")).isNull();
    assertThat(reject("command", "count")).isNull();
  }

  @Test
  void checksArity() {
    CommandSpec get = CommandTable.lookup("get");
    assertThat(get.arityOk(2)).isTrue();
    assertThat(get.arityOk(3)).isFalse();
    CommandSpec mget = CommandTable.lookup("mget");
    assertThat(mget.arity()).isEqualTo(-2);
    assertThat(mget.arityOk(1)).isFalse();
    assertThat(mget.arityOk(5)).isTrue();
  }

  @Test
  void carriesRedisFacts() {
    CommandSpec set = CommandTable.lookup("set");
    assertThat(set.flags()).contains(CommandFlag.WRITE, CommandFlag.DENYOOM);
    assertThat(set.has(CommandFlag.WRITE)).isTrue();
    assertThat(set.has(CommandFlag.READONLY)).isFalse();
    assertThat(List.of(set.firstKey(), set.lastKey(), set.step())).containsExactly(1, 1, 1);
    assertThat(set.since()).isEqualTo("1.0.0");
    KeySpec spec = set.keySpecs().get(0);
    assertThat(spec.begin()).isEqualTo(new KeySpec.Index(1));
    assertThat(spec.find()).isEqualTo(new KeySpec.Range(0, 1, 0));
    assertThat(spec.has(KeySpec.Flag.VARIABLE_FLAGS)).isTrue();
    assertThat(CommandTable.lookup("xread").keySpecs().get(0).begin())
        .isEqualTo(new KeySpec.Keyword("STREAMS", 1));
    assertThat(CommandTable.lookup("zunionstore").keySpecs().get(1).find())
        .isEqualTo(new KeySpec.Keynum(0, 1, 1));
  }

  @Test
  void coversRedis70AndTheAdditionsClientsSend() {
    // COMMAND COUNT of 7.0.15 is 240; plus WAITAOF (7.2) and SLOTSHASHKEY (Codis).
    assertThat(CommandTable.commands()).hasSize(242);
    assertThat(CommandTable.lookup("client|setinfo").since()).isEqualTo("7.2.0");
    assertThat(CommandTable.lookup("client|no-touch").since()).isEqualTo("7.2.0");
    assertThat(CommandTable.lookup("waitaof").since()).isEqualTo("7.2.0");
    CommandSpec slotsHashKey = CommandTable.lookup("slotshashkey");
    assertThat(slotsHashKey.isRedisCommand()).isFalse();
    assertThat(slotsHashKey.policy()).isEqualTo(Policy.PROXY);
    assertThat(CommandTable.all()).allMatch(s -> s.since().equals(CommandSpec.PROXY_ONLY)
        || s.since().matches("\\d+\\.\\d+\\.\\d+"));
  }

  @Test
  void parsesSubcommandsBeforeOrAfterTheirContainer() {
    var top = CommandTable.parse(List.of(
        "# comment", "",
        "x|y 2 - 0 0 0 1.0.0 PROXY",
        "x -2 - 0 0 0 1.0.0 REFUSED"));
    assertThat(top.get("x").subcommand("y").container()).isSameAs(top.get("x"));
  }

  @Test
  void lookupKeysAndRefusalsAllocateNothing() {
    assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
    Args[] invocations = {Args.of("get", "k"), Args.of("CLIENT", "setname", "x"),
        Args.of("mset", "a", "1", "b", "2"), Args.of("EVAL", "s", "2", "a", "b"),
        Args.of("zunionstore", "d", "2", "a", "b"), Args.of("XREAD", "COUNT", "1", "STREAMS", "a", "0"),
        Args.of("sort", "k", "BY", "nosort", "STORE", "d"), Args.of("GEORADIUS", "k", "0", "0", "1", "km",
        "STORE", "d"), Args.of("nosuchcommand")};
    int[] out = new int[16];
    long tid = Thread.currentThread().getId();
    long sink = run(invocations, out, 2_000) + mx.getThreadAllocatedBytes(tid);
    long before = mx.getThreadAllocatedBytes(tid);
    sink += run(invocations, out, 10_000);
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(sink).isNotZero();
    // One small object per call would be over a megabyte here; the few hundred bytes seen come from the
    // JIT compiling the loop, and do not grow with the number of calls.
    assertThat(allocated).isLessThan(64 * 1024);
  }

  private static long run(Args[] invocations, int[] out, int rounds) {
    long sink = 0;
    for (int r = 0; r < rounds; r++) {
      for (Args args : invocations) {
        CommandSpec spec = CommandTable.lookup(args);
        if (spec != null) {
          sink += spec.keyIndexes(args, out);
          sink += spec.refusal(args) == null ? 1 : 2;
          sink += spec.has(CommandFlag.WRITE) ? 1 : 0;
        }
      }
    }
    return sink;
  }

  private static String reject(String... argv) {
    Args args = Args.of(argv);
    return CommandTable.rejection(args, CommandTable.lookup(args));
  }

  /** Arguments as slices of one buffer, the way the decoder hands them over. */
  record SliceArgs(byte[] buf, int[] offsets, int[] lengths) implements Args {
    @Override
    public int argc() {
      return offsets.length;
    }

    @Override
    public byte[] array(int i) {
      return buf;
    }

    @Override
    public int offset(int i) {
      return offsets[i];
    }

    @Override
    public int length(int i) {
      return lengths[i];
    }
  }
}
