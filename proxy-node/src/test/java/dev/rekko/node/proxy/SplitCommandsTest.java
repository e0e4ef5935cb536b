package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * MGET/MSET/DEL/EXISTS/TOUCH/UNLINK split over three groups and merged in key order, with Redis's
 * answers for duplicates and missing keys; and the multi-key commands that are not split, which must
 * refuse keys of different slots with CROSSSLOT and work when a hash tag puts them together.
 */
class SplitCommandsTest {
  // Three groups, so a split has more than two parts to merge.
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(3).perClass();

  private static List<String> keys(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
  }

  @Test
  void msetThenMgetMergesInKeyOrderAndKeysLandOnTheirOwners() {
    List<String> keys = keys("mk:", 300);
    assertThat(keys.stream().map(SlotHash::slot).distinct().count()).isGreaterThan(200);
    assertThat(keys.stream().map(fx::groupOf).collect(Collectors.toSet())).containsExactlyInAnyOrder(1, 2, 3);
    Jedis j = fx.jedis();
    List<String> kv = new ArrayList<>();
    keys.forEach(k -> {
      kv.add(k);
      kv.add("val-" + k);
    });
    assertThat(j.mset(kv.toArray(String[]::new))).isEqualTo("OK");

    // Shuffled, with missing keys in between: every position gets its own key's value or nil.
    List<String> query = new ArrayList<>(keys);
    keys("mk-missing:", 50).forEach(query::add);
    Collections.shuffle(query, new Random(7));
    List<String> expected = query.stream().map(k -> k.startsWith("mk-missing:") ? null : "val-" + k).toList();
    assertThat(j.mget(query.toArray(String[]::new))).isEqualTo(expected);

    for (int g = 1; g <= 3; g++) {
      int group = g;
      RedisServer master = fx.master(g);
      String[] owned = keys.stream().filter(k -> fx.groupOf(k) == group).toArray(String[]::new);
      String[] foreign = keys.stream().filter(k -> fx.groupOf(k) != group).toArray(String[]::new);
      assertThat(owned).isNotEmpty();
      Jedis direct = fx.direct(master);
      assertThat(direct.mget(owned)).as("group %d holds its keys", g)
          .isEqualTo(Arrays.stream(owned).map(k -> "val-" + k).toList());
      assertThat(direct.exists(foreign)).as("group %d holds no other group's keys", g).isZero();
    }
  }

  @Test
  void duplicatesAndMissingKeysCountLikeRedis() throws Exception {
    RespSocket s = fx.socket();
    String a = fx.keyInGroup("dup-a:", 1);
    String b = fx.keyInGroup("dup-b:", 2);
    String c = fx.keyInGroup("dup-c:", 3);
    String missing = fx.keyInGroup("dup-missing:", 2);
    assertThat(s.call("MSET", a, "1", b, "2", c, "3")).isEqualTo("OK");
    // Redis counts a key each time it is named in EXISTS and TOUCH ...
    assertThat(s.call("EXISTS", a, a)).isEqualTo(2L);
    assertThat(s.call("EXISTS", a, b, a, missing, c, c)).isEqualTo(5L);
    assertThat(s.call("TOUCH", b, c, b, missing)).isEqualTo(3L);
    // ... but deletes it only once.
    assertThat(s.call("DEL", a, a, missing, b)).isEqualTo(2L);
    assertThat(s.call("MGET", a, b, c, a, c)).isEqualTo(Arrays.asList(null, null, "3", null, "3"));
    assertThat(s.call("UNLINK", c, c, a)).isEqualTo(1L);
    assertThat(s.call("EXISTS", a, b, c)).isEqualTo(0L);
    // MSET naming a key twice keeps the last value, as Redis does.
    assertThat(s.call("MSET", a, "first", b, "x", a, "last")).isEqualTo("OK");
    assertThat(s.call("MGET", a, b)).isEqualTo(List.of("last", "x"));
    assertThat(fx.direct(fx.master(1)).get(a)).isEqualTo("last");
  }

  @Test
  void delExistsTouchUnlinkAcrossManySlotsSumPerGroup() {
    Jedis j = fx.jedis();
    List<String> keys = keys("cnt:", 120);
    List<String> kv = new ArrayList<>();
    keys.forEach(k -> {
      kv.add(k);
      kv.add("x");
    });
    j.mset(kv.toArray(String[]::new));
    String[] all = keys.toArray(String[]::new);
    String[] withMissing = IntStream.range(0, 160).mapToObj(i -> "cnt:" + i).toArray(String[]::new);
    assertThat(j.exists(withMissing)).isEqualTo(120L);
    assertThat(j.touch(withMissing)).isEqualTo(120L);
    assertThat(j.del(Arrays.copyOfRange(all, 0, 40))).isEqualTo(40L);
    assertThat(j.unlink(withMissing)).isEqualTo(80L);
    assertThat(j.exists(all)).isZero();
    for (RedisServer m : fx.masters()) {
      assertThat(fx.direct(m).exists(all)).as("%s after DEL/UNLINK", m).isZero();
    }
  }

  @Test
  void msetWithAnOddNumberOfArgumentsIsAnArityError() throws Exception {
    RespSocket s = fx.socket();
    assertThat(s.call("MSET", "odd:a", "1", "odd:b")).isEqualTo(new RespSocket.Err(Errors.wrongArity("mset")));
    assertThat(s.call("EXISTS", "odd:a", "odd:b")).isEqualTo(0L);
  }

  @Test
  void multiKeyCommandsOverDifferentSlotsAnswerCrossslot() throws Exception {
    String a = "xs:a";
    String b = "xs:b";
    assertThat(SlotHash.slot(a)).isNotEqualTo(SlotHash.slot(b));
    RespSocket s = fx.socket();
    RespSocket.Err crossslot = new RespSocket.Err(Errors.CROSSSLOT);
    s.call("SADD", a, "1", "2");
    s.call("SADD", b, "2", "3");
    assertThat(s.call("SUNION", a, b)).isEqualTo(crossslot);
    assertThat(s.call("RENAME", a, b)).isEqualTo(crossslot);
    assertThat(s.call("EVAL", "return redis.call('exists', KEYS[1], KEYS[2])", "2", a, b)).isEqualTo(crossslot);
    assertThat(s.call("ZUNIONSTORE", "xs:dest", "2", a, b)).isEqualTo(crossslot);
    // Keys in the same slot without a tag are fine too; the check is per slot, not per name.
    assertThat(s.call("SUNION", a, a)).isInstanceOf(List.class);
    // Nothing was changed by the refused commands.
    assertThat(s.call("SMEMBERS", a)).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactlyInAnyOrder("1", "2");
    assertThat(s.call("EXISTS", "xs:dest")).isEqualTo(0L);
  }

  @Test
  void multiKeyCommandsWithOneHashTagWork() throws Exception {
    String a = "{user7}:a";
    String b = "{user7}:b";
    String dest = "{user7}:dest";
    RespSocket s = fx.socket();
    s.call("SADD", a, "1", "2");
    s.call("SADD", b, "2", "3");
    assertThat(s.call("SUNION", a, b)).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactlyInAnyOrder("1", "2", "3");
    assertThat(s.call("ZUNIONSTORE", dest, "2", a, b)).isEqualTo(3L);
    assertThat(s.call("EVAL", "return redis.call('exists', KEYS[1], KEYS[2])", "2", a, b)).isEqualTo(2L);
    assertThat(s.call("RENAME", a, "{user7}:renamed")).isEqualTo("OK");
    assertThat(s.call("EXISTS", a, "{user7}:renamed")).isEqualTo(1L);
    // All of it happened on the one group that owns the tag's slot.
    Jedis owner = fx.direct(fx.masterOf("user7"));
    assertThat(owner.exists("{user7}:renamed", b, dest)).isEqualTo(3L);
    assertThat(owner.zcard(dest)).isEqualTo(3L);
  }
}
