package dev.rekko.node.consistency;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The checker's verdict and what the clients did. Lost, extra and unverified count distinct keys
 * over the whole run so far (every check, not just this one); see {@link ConsistencyChecker}.
 *
 * @param finalCheck true for the report of {@link ConsistencyChecker#stopAndVerify()}
 * @param checks verifications run so far, this one included
 * @param keysChecked keys this verification read
 * @param lost keys that missed acknowledged writes
 * @param extra keys holding more than every possible write explains
 * @param readYourWritesViolations times a client saw its own key go back
 * @param unverified keys this verification could not read before its deadline
 * @param findings the first findings of each kind in detail, lost first
 * @param ops INCR, SET and GET commands sent (SELECT and reconnects not included)
 * @param acked commands answered with a reply that is not an error
 * @param inDoubt commands whose outcome is unknown (the connection failed before the reply)
 * @param failed commands answered with an error reply: they did not happen
 * @param errorReplies error reply texts and how often each came
 * @param reconnects connection failures after which a client moved on to the next endpoint
 *     (failed connection attempts included)
 * @param opsPerEndpoint commands sent to each endpoint, {@code host:port}
 * @param clientFailures client threads that died unexpectedly (a checker bug): must be empty
 * @param duration from start to this report
 */
public record Report(
    boolean finalCheck,
    int checks,
    int keysChecked,
    long lost,
    long extra,
    long readYourWritesViolations,
    long unverified,
    List<Finding> findings,
    long ops,
    long acked,
    long inDoubt,
    long failed,
    Map<String, Long> errorReplies,
    long reconnects,
    Map<String, Long> opsPerEndpoint,
    List<String> clientFailures,
    Duration duration) {

  /** No consistency finding and nothing that stopped the checker from judging. */
  public boolean clean() {
    return lost == 0 && extra == 0 && readYourWritesViolations == 0 && unverified == 0
        && clientFailures.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(finalCheck ? "Consistency report (final" : "Consistency report (check")
        .append(", ").append(checks).append(checks == 1 ? " check" : " checks")
        .append(", ").append(keysChecked).append(" keys read, ")
        .append(String.format("%.1f s", duration.toMillis() / 1000.0)).append("): ")
        .append(clean() ? "CLEAN" : "PROBLEMS").append('\n');
    sb.append("  lost=").append(lost).append(" extra=").append(extra)
        .append(" readYourWritesViolations=").append(readYourWritesViolations)
        .append(" unverified=").append(unverified).append('\n');
    sb.append("  ops=").append(ops).append(" acked=").append(acked).append(" inDoubt=").append(inDoubt)
        .append(" failed=").append(failed).append(" reconnects=").append(reconnects);
    long millis = Math.max(1, duration.toMillis());
    sb.append(" (~").append(ops * 1000 / millis).append(" ops/s)\n");
    sb.append("  per endpoint: ").append(opsPerEndpoint).append('\n');
    if (!errorReplies.isEmpty()) {
      sb.append("  error replies:\n");
      errorReplies.forEach((text, n) -> sb.append("    ").append(n).append(" x ").append(text).append('\n'));
    }
    if (!clientFailures.isEmpty()) {
      sb.append("  client failures:\n");
      clientFailures.forEach(f -> sb.append("    ").append(f).append('\n'));
    }
    if (!findings.isEmpty()) {
      sb.append("  first findings:\n");
      findings.forEach(f -> sb.append("    ").append(f).append('\n'));
    }
    return sb.toString();
  }
}
