package dev.rekko.node.config;

import dev.rekko.protocol.resp.RespLimits;
import java.time.Duration;

/**
 * {@code rekko.proxy}'s bounds on the memory client connections may hold, in bytes, after Redis's
 * settings of the same names. Replies a client has not read yet (its output buffer) and input not yet
 * parsed (its query buffer) are what a proxy holds for a client; {@code maxMemory} bounds their sum over
 * all clients.
 *
 * @param outputHard a client owing more reply bytes than this is closed; 0 = no limit
 * @param outputSoft a client owing more than this for longer than {@code outputSoftTime} is closed;
 *     0 = no limit
 * @param outputSoftTime how long a client may stay over {@code outputSoft}
 * @param outputPause the node stops reading a client's commands while it owes more reply bytes than
 *     this, and reads again once they are written; 0 = never on this account
 * @param maxMemory the node stops reading from every client while all of them together hold more than
 *     this, and closes those holding the most when that does not help; 0 = no budget
 * @param queryBufferLimit a client whose unparsed input exceeds this is closed
 * @param protoMaxBulkLen the longest bulk string a request may carry
 */
public record ClientLimits(
    long outputHard,
    long outputSoft,
    Duration outputSoftTime,
    long outputPause,
    long maxMemory,
    long queryBufferLimit,
    long protoMaxBulkLen) {

  /** Redis's minimum for {@code client-query-buffer-limit} and {@code proto-max-bulk-len}. */
  static final long MIN_QUERY_LIMIT = 1024 * 1024;
  static final String DEFAULT_MAX_MEMORY = "25%";

  /** The defaults of {@code reference.conf}, {@code max-memory} resolved against this JVM's heap. */
  public static ClientLimits defaults() {
    return new ClientLimits(0, 0, Duration.ZERO, 1024 * 1024,
        ByteSize.parseOrPercent(DEFAULT_MAX_MEMORY, Runtime.getRuntime().maxMemory()),
        1024L * 1024 * 1024, 512L * 1024 * 1024);
  }

  /** The request decoder's limits for these settings. */
  public RespLimits respLimits() {
    return RespLimits.DEFAULT.withMaxBulkLength(protoMaxBulkLen);
  }

  /** Reads and checks {@code rekko.proxy}'s memory settings; problems go to {@code r}. */
  static ClientLimits read(ConfigReader r) {
    long[] output = outputLimit(r, "rekko.proxy.client-output-buffer-limit");
    long pause = r.bytes("rekko.proxy.client-output-pause", 0, Long.MAX_VALUE);
    long budget = maxMemory(r, "rekko.proxy.max-memory");
    long query = r.bytes("rekko.proxy.client-query-buffer-limit", MIN_QUERY_LIMIT, Long.MAX_VALUE);
    long bulk = r.bytes("rekko.proxy.proto-max-bulk-len", MIN_QUERY_LIMIT, RespLimits.MAX_BULK_LENGTH);
    return new ClientLimits(output[0], output[1], Duration.ofSeconds(output[2]), pause, budget, query, bulk);
  }

  /** {@code "hard soft soft-seconds"}, e.g. {@code "256mb 64mb 60"}, as Redis's {@code normal} class. */
  private static long[] outputLimit(ConfigReader r, String path) {
    String text = r.string(path).trim();
    String[] parts = text.isEmpty() ? new String[0] : text.split("\\s+");
    long[] v = new long[3];
    if (parts.length != 3) {
      r.problem(path, "expected \"<hard> <soft> <soft-seconds>\" such as \"256mb 64mb 60\" (0 = no limit), got \""
          + text + "\"" + r.origin(path));
      return v;
    }
    for (int i = 0; i < 3; i++) {
      v[i] = i < 2 ? ByteSize.parse(parts[i]) : seconds(parts[i]);
      if (v[i] < 0) {
        r.problem(path, "\"" + parts[i] + "\" is not " + (i < 2 ? ByteSize.UNITS : "a whole number of seconds")
            + r.origin(path));
        v[i] = 0;
      }
    }
    return v;
  }

  private static long seconds(String s) {
    return s.chars().allMatch(Character::isDigit) && s.length() <= 9 ? Long.parseLong(s) : -1;
  }

  private static long maxMemory(ConfigReader r, String path) {
    String text = r.string(path);
    long v = ByteSize.parseOrPercent(text, Runtime.getRuntime().maxMemory());
    if (v < 0) {
      r.problem(path, "expected a percentage of the heap such as 25%, or " + ByteSize.UNITS + ", got \"" + text
          + "\"" + r.origin(path));
      return 0;
    }
    return v;
  }
}
