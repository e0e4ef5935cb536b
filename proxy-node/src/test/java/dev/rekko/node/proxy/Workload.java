package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A reproducible mix of SET/GET/INCR/LPUSH/LRANGE/HSET/HGET/DEL/MGET/MSET/EXPIRE/TTL over many keys
 * (and ECHO, which the node answers itself),
 * each command paired with the reply Redis must give, computed by a small model of the keyspace. A
 * pipeline that reorders, drops or mixes up replies fails on the first command whose reply differs.
 */
final class Workload {
  /** TTL of a key with an expiry of {@link #EXPIRE_SECONDS}: anything from 0 to that. */
  record TtlUpTo(long max) {}

  record Op(String[] args, Object expected) {
    String name() {
      return args[0];
    }

    String describe(int index) {
      return "command #" + index + " " + String.join(" ", args);
    }
  }

  static final long EXPIRE_SECONDS = 1000;

  private final String prefix;
  private final Random random;
  private final Map<String, String> strings = new HashMap<>();
  private final Map<String, Long> counters = new HashMap<>();
  private final Map<String, Deque<String>> lists = new HashMap<>();
  private final Map<String, Map<String, String>> hashes = new HashMap<>();
  private final Set<String> expiring = new HashSet<>();
  private final Set<String> keysUsed = new HashSet<>();
  private int valueSeq;

  /** {@code prefix} keeps workloads of different tests apart on the shared servers. */
  Workload(String prefix, long seed) {
    this.prefix = prefix;
    this.random = new Random(seed);
  }

  List<Op> generate(int count) {
    List<Op> ops = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ops.add(next());
    }
    return ops;
  }

  /** Every key the generated commands touched. */
  Set<String> keysUsed() {
    return keysUsed;
  }

  /** The string keys that exist after the generated commands, with their values. */
  Map<String, String> strings() {
    return strings;
  }

  /** The whole workload as one RESP byte array, for a single socket write. */
  static byte[] encode(List<Op> ops) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(ops.size() * 48);
    for (Op op : ops) {
      RespSocket.appendCommand(buf, op.args());
    }
    return buf.toByteArray();
  }

  /** Checks one reply; RESP nil and Jedis's null, RESP arrays and Jedis's lists compare alike. */
  static void check(Op op, int index, Object actual) {
    if (op.expected() instanceof TtlUpTo t) {
      assertThat(actual).as(op.describe(index)).isInstanceOf(Long.class);
      assertThat((Long) actual).as(op.describe(index)).isBetween(0L, t.max());
    } else {
      assertThat(actual).as(op.describe(index)).isEqualTo(op.expected());
    }
  }

  private String stringKey() {
    return use(prefix + "s" + random.nextInt(200));
  }

  private String use(String key) {
    keysUsed.add(key);
    return key;
  }

  private String value() {
    return "v" + (valueSeq++) + "-" + "x".repeat(random.nextInt(40));
  }

  private Op next() {
    int pick = random.nextInt(13);
    switch (pick) {
      case 0 -> {
        String k = stringKey();
        String v = value();
        strings.put(k, v);
        expiring.remove(k);
        return new Op(new String[] {"SET", k, v}, "OK");
      }
      case 1 -> {
        String k = stringKey();
        return new Op(new String[] {"GET", k}, strings.get(k));
      }
      case 2 -> {
        String k = use(prefix + "c" + random.nextInt(100));
        long n = counters.merge(k, 1L, Long::sum);
        return new Op(new String[] {"INCR", k}, n);
      }
      case 3 -> {
        String k = use(prefix + "l" + random.nextInt(50));
        String v = value();
        Deque<String> list = lists.computeIfAbsent(k, x -> new ArrayDeque<>());
        list.addFirst(v);
        return new Op(new String[] {"LPUSH", k, v}, (long) list.size());
      }
      case 4 -> {
        String k = use(prefix + "l" + random.nextInt(50));
        return new Op(new String[] {"LRANGE", k, "0", "-1"}, new ArrayList<>(lists.getOrDefault(k, new ArrayDeque<>())));
      }
      case 5 -> {
        String k = use(prefix + "h" + random.nextInt(50));
        String f = "f" + random.nextInt(8);
        String v = value();
        boolean added = hashes.computeIfAbsent(k, x -> new HashMap<>()).put(f, v) == null;
        return new Op(new String[] {"HSET", k, f, v}, added ? 1L : 0L);
      }
      case 6 -> {
        String k = use(prefix + "h" + random.nextInt(50));
        String f = "f" + random.nextInt(8);
        Map<String, String> h = hashes.get(k);
        return new Op(new String[] {"HGET", k, f}, h == null ? null : h.get(f));
      }
      case 7 -> {
        String k = random.nextBoolean() ? stringKey() : use(prefix + "c" + random.nextInt(100));
        boolean existed = strings.remove(k) != null | counters.remove(k) != null;
        expiring.remove(k);
        return new Op(new String[] {"DEL", k}, existed ? 1L : 0L);
      }
      case 8 -> {
        int n = 2 + random.nextInt(5);
        String[] args = new String[n + 1];
        args[0] = "MGET";
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          args[i] = stringKey();
          expected.add(strings.get(args[i]));
        }
        return new Op(args, expected);
      }
      case 9 -> {
        int n = 2 + random.nextInt(4);
        String[] args = new String[2 * n + 1];
        args[0] = "MSET";
        for (int i = 0; i < n; i++) {
          String k = stringKey();
          String v = value();
          args[1 + 2 * i] = k;
          args[2 + 2 * i] = v;
          strings.put(k, v);
          expiring.remove(k);
        }
        return new Op(args, "OK");
      }
      case 12 -> {
        // Answered by the node itself, between commands the backends answer: order must still hold.
        String v = value();
        return new Op(new String[] {"ECHO", v}, v);
      }
      case 10 -> {
        String k = stringKey();
        boolean exists = strings.containsKey(k);
        if (exists) {
          expiring.add(k);
        }
        return new Op(new String[] {"EXPIRE", k, Long.toString(EXPIRE_SECONDS)}, exists ? 1L : 0L);
      }
      default -> {
        String k = stringKey();
        Object expected = !strings.containsKey(k) ? (Object) (-2L)
            : expiring.contains(k) ? new TtlUpTo(EXPIRE_SECONDS) : (Object) (-1L);
        return new Op(new String[] {"TTL", k}, expected);
      }
    }
  }
}
