package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.pubsub.PubSubKind;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * PUBSUB NUMSUB, SHARDNUMSUB and SHARDCHANNELS, merged from the backends that hold the names. A backend
 * counts each node's subscriber connection once; the count reported replaces this node's one connection
 * by the number of this node's own sessions holding the name, so it is exact for a single node and counts
 * every other node subscribed as one.
 */
final class PubSubCounts extends Gather {
  enum Mode { NUMSUB, SHARDNUMSUB, SHARDCHANNELS }

  private final PubSubHub hub;
  private final Mode mode;

  PubSubCounts(PubSubHub hub, Mode mode, Pending target, int parts) {
    super(target, parts);
    this.hub = hub;
    this.mode = mode;
  }

  @Override
  byte[] merge() {
    RespWriter w = new RespWriter(64);
    if (mode == Mode.SHARDCHANNELS) {
      LinkedHashSet<String> all = new LinkedHashSet<>();
      for (Reply r : replies) {
        for (RespValue v : elements(r)) {
          all.add(latin1(v));
        }
      }
      w.writeArrayHeader(all.size());
      all.forEach(name -> w.writeBulk(name.getBytes(StandardCharsets.ISO_8859_1)));
      return w.toByteArray();
    }
    List<RespValue> first = elements(replies[0]);
    long[] sums = new long[first.size() / 2];
    for (Reply r : replies) {
      List<RespValue> e = elements(r);
      for (int i = 0; i + 1 < e.size() && i / 2 < sums.length; i += 2) {
        sums[i / 2] += e.get(i + 1) instanceof RespValue.Integer n ? n.value() : 0;
      }
    }
    PubSubKind kind = mode == Mode.NUMSUB ? PubSubKind.CHANNEL : PubSubKind.SHARD;
    w.writeArrayHeader(2 * sums.length);
    for (int i = 0; i < sums.length; i++) {
      String name = latin1(first.get(2 * i));
      int local = hub.localCount(kind, name);
      long count = local == 0 ? sums[i] : Math.max(0, sums[i] - 1) + local;
      w.writeBulk(name.getBytes(StandardCharsets.ISO_8859_1)).writeInteger(count);
    }
    return w.toByteArray();
  }

  private static List<RespValue> elements(Reply r) {
    return r.value() instanceof RespValue.Array a ? a.elements() : List.of();
  }

  private static String latin1(RespValue v) {
    return v instanceof RespValue.BulkString b ? new String(b.bytes(), StandardCharsets.ISO_8859_1) : String.valueOf(v);
  }
}
