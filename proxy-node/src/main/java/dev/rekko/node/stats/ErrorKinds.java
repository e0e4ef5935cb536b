package dev.rekko.node.stats;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;

/**
 * Error replies by kind ({@code rekko_errors_total{kind}}): the reply's first word (the error code Redis
 * and clients switch on), from a fixed list so the label set stays bounded; any other word is
 * {@code other}, and a command the node failed because its backend connection failed ({@code ERR backend
 * …}) is {@code backend}. Classifying compares bytes in place: no allocation per error.
 */
final class ErrorKinds {
  /** The kinds, as label values; the last two are {@code backend} and {@code other}. */
  static final String[] KINDS = {
      "ERR", "WRONGTYPE", "MOVED", "ASK", "TRYAGAIN", "CROSSSLOT", "CLUSTERDOWN", "NOSCRIPT", "BUSY",
      "BUSYKEY", "BUSYGROUP", "NOGROUP", "NOAUTH", "WRONGPASS", "NOPERM", "NOPROTO", "READONLY", "LOADING",
      "MASTERDOWN", "MISCONF", "NOREPLICAS", "OOM", "EXECABORT", "UNBLOCKED", "backend", "other"};
  static final int BACKEND = KINDS.length - 2;
  static final int OTHER = KINDS.length - 1;
  private static final byte[][] WORDS = new byte[BACKEND][];
  private static final byte[] BACKEND_PREFIX = "ERR backend ".getBytes(StandardCharsets.US_ASCII);

  static {
    for (int i = 0; i < BACKEND; i++) {
      WORDS[i] = KINDS[i].getBytes(StandardCharsets.US_ASCII);
    }
  }

  private final CounterDataPoint[] counts = new CounterDataPoint[KINDS.length];

  ErrorKinds(PrometheusRegistry registry) {
    Counter counter = Counter.builder()
        .name("rekko_errors_total")
        .help("Error replies to clients, by kind: the reply's first word (ERR, WRONGTYPE, MOVED, ...), "
            + "backend when the backend connection failed, other for any other word.")
        .labelNames("kind")
        .withoutExemplars()
        .register(registry);
    for (int i = 0; i < KINDS.length; i++) {
      counts[i] = counter.labelValues(KINDS[i]);
    }
  }

  /** Counts one error reply: a RESP simple error ({@code -WORD ...}) or RESP3 blob error ({@code !n\r\nWORD ...}). */
  void count(byte[] reply, int off, int len) {
    counts[classify(reply, off, len)].inc();
  }

  /** The index in {@link #KINDS} of an error reply's kind. */
  static int classify(byte[] reply, int off, int len) {
    int end = off + len;
    int start;
    if (len > 1 && reply[off] == '-') {
      start = off + 1;
    } else if (len > 1 && reply[off] == '!') {
      start = off + 1;
      while (start < end && reply[start] != '\n') {
        start++;
      }
      start++;
    } else {
      return OTHER;
    }
    int word = start;
    while (word < end && reply[word] != ' ' && reply[word] != '\r') {
      word++;
    }
    if (startsWith(reply, start, end, BACKEND_PREFIX)) {
      return BACKEND;
    }
    for (int i = 0; i < WORDS.length; i++) {
      byte[] w = WORDS[i];
      if (w.length == word - start && startsWith(reply, start, end, w)) {
        return i;
      }
    }
    return OTHER;
  }

  private static boolean startsWith(byte[] a, int from, int end, byte[] prefix) {
    if (end - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (a[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
