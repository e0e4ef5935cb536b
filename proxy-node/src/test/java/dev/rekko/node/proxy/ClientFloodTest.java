package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's report, reproduced: dozens of clients each pipeline hundreds of GETs of a 1 MiB value
 * and never read a reply, against a node in its own JVM with the demo's 256 MiB heap. Before the
 * client memory limits that node died within seconds. Now it charges the replies to their clients,
 * stops reading when its budget ({@code max-memory}, 25% of the heap) is reached, and closes the
 * clients holding the most; a bystander's GET and SET are answered correctly all along, and the node
 * is still up at the end. The test prints the node's peak heap use.
 *
 * <p>The flood's value lives in group 1, the bystander's keys in group 2. Redis itself buffers the
 * replies of a pipelined flood without bound (its {@code client-output-buffer-limit normal} is
 * {@code 0 0 0} and it parses a whole read of GETs before writing a reply), which here could take
 * gigabytes of the shared machine: group 1 runs with a hard limit of 1gb, and when Redis cuts the
 * node's connection for it, the commands still on it fail — the bystander's never are.
 */
class ClientFloodTest {
  private static final int FLOODERS = 48;
  private static final int GETS_EACH = 300;
  private static final int VALUE_BYTES = 1024 * 1024;

  @TempDir
  Path dir;

  @Test
  void clientsThatNeverReadBigRepliesCannotKillTheNode() throws Exception {
    List<AutoCloseable> open = new ArrayList<>();
    try {
      RedisServer floodGroup = RedisServer.builder().config("client-output-buffer-limit normal 1gb 0 0").start();
      open.add(floodGroup);
      RedisServer calmGroup = RedisServer.builder().start();
      open.add(calmGroup);
      ForkedNode node = ForkedNode.start(dir, "1=" + floodGroup.address() + ";2=" + calmGroup.address(),
          Map.of(), List.of());
      open.add(node);
      node.awaitServing(Duration.ofSeconds(120));

      RespSocket bystander = new RespSocket(node.respPort(), 120_000);
      open.add(bystander);
      RespSocket redis = new RespSocket(floodGroup.port(), 120_000);
      open.add(redis);
      String big = keyInGroup("flood:big:", 1);
      assertThat(bystander.call("SET", big, "v".repeat(VALUE_BYTES))).isEqualTo("OK");
      long budget = Long.parseLong(info(bystander, "memory").get("maxmemory_clients"));
      assertThat(budget).isBetween(60L << 20, 68L << 20);

      ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
      for (int i = 0; i < GETS_EACH; i++) {
        RespSocket.appendCommand(pipeline, "GET", big);
      }
      byte[] gets = pipeline.toByteArray();
      for (int c = 0; c < FLOODERS; c++) {
        // A small receive window, as a slow client far away has: otherwise loopback's autotuned
        // buffers (up to 32 MB here) would take the flood and the node would hold nothing.
        RespSocket flooder = new RespSocket(node.respPort(), 120_000, 16 * 1024);
        open.add(flooder);
        flooder.write(gets);
      }

      // The bystander works in group 2 until the flood is over, checking every reply: reads not paused,
      // clients under the budget, and no eviction for 3 s.
      long started = System.nanoTime();
      long lastEviction = started;
      String evicted = "0";
      int ops = 0;
      Map<String, String> stats = Map.of();
      Map<String, String> memory = Map.of();
      while (true) {
        String key = keyInGroup("calm:" + ops + ":", 2);
        String value = "value-" + ops;
        assertThat(bystander.call("SET", key, value)).isEqualTo("OK");
        assertThat(bystander.call("GET", key)).isEqualTo(value);
        ops++;
        assertThat(node.alive()).as("the node is up; its log:\n%s", node.tail()).isTrue();
        if (ops % 20 == 0) {
          stats = info(bystander, "stats");
          memory = info(bystander, "memory");
          if (ops % 200 == 0) {
            System.out.printf("t=%.1fs ops=%d clients hold %s, paused %s, evicted %s, heap %s; flood redis: %s commands, "
                    + "%s bytes%n",
                (System.nanoTime() - started) / 1e9, ops, memory.get("mem_clients_normal"),
                memory.get("client_reads_paused"), stats.get("evicted_clients"), memory.get("used_memory"),
                info(redis, "stats").get("total_commands_processed"), info(redis, "memory").get("used_memory"));
          }
          if (!stats.get("evicted_clients").equals(evicted)) {
            evicted = stats.get("evicted_clients");
            lastEviction = System.nanoTime();
          }
          boolean over = !evicted.equals("0") && System.nanoTime() - lastEviction > Duration.ofSeconds(3).toNanos()
              && Long.parseLong(memory.get("mem_clients_normal")) < budget
              && memory.get("client_reads_paused").equals("0");
          if (over) {
            break;
          }
          assertThat(System.nanoTime() - started).as("the flood is not over after 3 minutes; stats %s, memory %s",
              stats, memory).isLessThan(Duration.ofMinutes(3).toNanos());
        }
      }
      assertThat(bystander.call("PING")).isEqualTo("PONG");
      assertThat(node.alive()).isTrue();
      long evictionLines = node.logText().lines().filter(l -> l.contains(" evicted: it holds ")).count();
      System.out.printf("ClientFloodTest: %d clients x %d GETs of %d bytes against a 256 MiB node: the node stayed up; "
              + "peak heap used %.1f MiB (largest live set after a GC %.1f MiB), client budget %.1f MiB, "
              + "%s clients evicted (%d log lines), bystander did %d SET+GET in %.1f s%n",
          FLOODERS, GETS_EACH, VALUE_BYTES, mib(memory.get("used_memory_peak")), mib(memory.get("used_memory_live_peak")),
          budget / 1048576.0, stats.get("evicted_clients"), evictionLines, ops, (System.nanoTime() - started) / 1e9);
      assertThat(evictionLines).isEqualTo(Long.parseLong(stats.get("evicted_clients")));
    } finally {
      for (String name : List.of("node.log", "gc.log")) {
        Path file = dir.resolve(name);
        if (java.nio.file.Files.exists(file)) {
          java.nio.file.Files.copy(file, Path.of("target", "ClientFloodTest-" + name),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      for (int i = open.size() - 1; i >= 0; i--) {
        try {
          open.get(i).close();
        } catch (Exception ignored) {
          // closing everything anyway
        }
      }
    }
  }

  private static double mib(String bytes) {
    return Long.parseLong(bytes) / 1048576.0;
  }

  /** A key whose slot the even bootstrap spread of two groups gives to {@code group} (1: slots 0-511). */
  static String keyInGroup(String prefix, int group) {
    for (int i = 0; ; i++) {
      String k = prefix + i;
      int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
      if ((slot < 512) == (group == 1)) {
        return k;
      }
    }
  }

  /** One INFO section as fields. */
  static Map<String, String> info(RespSocket s, String section) throws Exception {
    Map<String, String> fields = new java.util.HashMap<>();
    for (String line : ((String) s.call("INFO", section)).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return fields;
  }
}
