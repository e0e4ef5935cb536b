package dev.rekko.node.consistency;

import dev.rekko.node.consistency.Finding.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Reads every key through one endpoint and compares it with the books. Works while the clients run:
 * the lower bounds are read before a batch of GETs leaves and the upper bounds after its replies,
 * so a value is judged against everything that was acknowledged before it was read and everything
 * that may have happened until it was read. Keys that cannot be read (error replies, broken
 * connections) are tried again, on the next endpoint, until the verify timeout.
 */
final class Verifier {
  private static final int BATCH = 200;

  private record KeyRef(boolean counter, int index, String key, int db) {}

  private final CheckerSettings settings;
  private final Connector connector;
  private final Ledger ledger;
  private final Findings findings;

  Verifier(CheckerSettings settings, Connector connector, Ledger ledger, Findings findings) {
    this.settings = settings;
    this.connector = connector;
    this.ledger = ledger;
    this.findings = findings;
  }

  /**
   * @param endpoint index of the endpoint to read through first
   * @param exact true once the clients have stopped: register values are then held to the exact
   *     set of versions that may have won, not just to a range
   * @return the number of keys read
   */
  int verify(int endpoint, boolean exact, String when) throws InterruptedException {
    List<KeyRef> pending = allKeys();
    Map<KeyRef, String> lastProblem = new LinkedHashMap<>();
    long deadline = System.nanoTime() + settings.verifyTimeout().toNanos();
    int read = 0;
    Jedis jedis = null;
    try {
      while (!pending.isEmpty() && System.nanoTime() < deadline) {
        List<KeyRef> retry = new ArrayList<>();
        for (List<KeyRef> batch : batches(pending)) {
          try {
            if (jedis == null) {
              jedis = connector.open(endpoint);
            }
            read += readBatch(jedis, batch, exact, when, retry, lastProblem);
          } catch (RuntimeException e) {
            // No reply to judge: the connection is unusable. Try the batch again elsewhere.
            batch.forEach(k -> lastProblem.put(k, "connection: " + e.getMessage()));
            retry.addAll(batch);
            close(jedis);
            jedis = null;
            endpoint++;
          }
        }
        pending = retry;
        if (!pending.isEmpty()) {
          Thread.sleep(100);
        }
      }
    } finally {
      close(jedis);
    }
    for (KeyRef k : pending) {
      findings.add(new Finding(Kind.UNVERIFIED, k.key(), k.db(), "a readable value",
          lastProblem.getOrDefault(k, "not read before the verify timeout"), when));
    }
    return read;
  }

  private List<KeyRef> allKeys() {
    List<KeyRef> keys = new ArrayList<>();
    for (int c = 0; c < settings.counters(); c++) {
      keys.add(new KeyRef(true, c, settings.counterKey(c), settings.dbOf(c)));
    }
    for (int r = 0; r < settings.registers(); r++) {
      keys.add(new KeyRef(false, r, settings.registerKey(r), settings.dbOf(r)));
    }
    // One SELECT per database and batch rather than one per key.
    keys.sort(java.util.Comparator.comparingInt(KeyRef::db));
    return keys;
  }

  /** Keys of one database each, at most {@link #BATCH}: one SELECT and one pipeline per batch. */
  private static List<List<KeyRef>> batches(List<KeyRef> keys) {
    List<List<KeyRef>> batches = new ArrayList<>();
    List<KeyRef> current = new ArrayList<>();
    for (KeyRef k : keys) {
      if (current.size() == BATCH || (!current.isEmpty() && current.get(0).db() != k.db())) {
        batches.add(current);
        current = new ArrayList<>();
      }
      current.add(k);
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  private int readBatch(Jedis jedis, List<KeyRef> batch, boolean exact, String when, List<KeyRef> retry,
      Map<KeyRef, String> lastProblem) {
    if (settings.databases() > 1) {
      jedis.select(batch.get(0).db());
    }
    long[] lower = new long[batch.size()];
    for (int k = 0; k < batch.size(); k++) {
      KeyRef ref = batch.get(k);
      lower[k] = ref.counter() ? ledger.counterLowerBound(ref.index()) : ledger.registerAcked(ref.index());
    }
    List<Response<String>> replies = new ArrayList<>(batch.size());
    try (Pipeline p = jedis.pipelined()) {
      batch.forEach(ref -> replies.add(p.get(ref.key())));
      p.sync();
    }
    int read = 0;
    for (int k = 0; k < batch.size(); k++) {
      KeyRef ref = batch.get(k);
      String value;
      try {
        value = replies.get(k).get();
      } catch (JedisDataException e) {
        lastProblem.put(ref, "error reply: " + e.getMessage());
        retry.add(ref);
        continue;
      }
      read++;
      findings.verified(ref.db(), ref.key());
      if (ref.counter()) {
        judgeCounter(ref, value, lower[k], when);
      } else {
        judgeRegister(ref, value, lower[k], exact, when);
      }
    }
    return read;
  }

  private void judgeCounter(KeyRef ref, String value, long lower, String when) {
    long upper = ledger.counterUpperBound(ref.index());
    String expected = lower + ".." + upper;
    long actual;
    try {
      actual = value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      findings.add(new Finding(Kind.EXTRA, ref.key(), ref.db(), expected, "not a number: " + value, when));
      return;
    }
    if (actual < lower) {
      findings.add(new Finding(Kind.LOST, ref.key(), ref.db(), expected, Long.toString(actual), when));
    } else if (actual > upper) {
      findings.add(new Finding(Kind.EXTRA, ref.key(), ref.db(), expected, Long.toString(actual), when));
    }
  }

  private void judgeRegister(KeyRef ref, String value, long ackedBefore, boolean exact, String when) {
    int r = ref.index();
    int owner = settings.ownerOf(r);
    long attempted = ledger.registerAttempted(r);
    long acked = ledger.registerAcked(r);
    long version = RegisterValue.versionOf(value, owner);
    String expected = exact
        ? RegisterValue.format(owner, acked) + " or in doubt " + ledger.registerInDoubtText(r)
        : RegisterValue.format(owner, ackedBefore) + ".." + RegisterValue.format(owner, attempted);
    String actual = String.valueOf(value);
    if (version == RegisterValue.FOREIGN) {
      findings.add(new Finding(Kind.EXTRA, ref.key(), ref.db(), expected, actual, when));
    } else if (version < ackedBefore) {
      findings.add(new Finding(Kind.LOST, ref.key(), ref.db(), expected, actual, when));
    } else if (exact && version != acked && !ledger.registerInDoubt(r, version)) {
      // Older than the last ack: an in-doubt write that landed late overwrote it.
      findings.add(new Finding(version < acked ? Kind.LOST : Kind.EXTRA, ref.key(), ref.db(), expected, actual, when));
    } else if (version > attempted) {
      findings.add(new Finding(Kind.EXTRA, ref.key(), ref.db(), expected, actual, when));
    }
  }

  private static void close(Jedis jedis) {
    if (jedis != null) {
      try {
        jedis.close();
      } catch (RuntimeException ignored) {
        // a broken connection may fail to close cleanly
      }
    }
  }
}
