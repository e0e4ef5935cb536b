package dev.rekko.topology;

/**
 * A write that would not win: the replica already holds that entry at a higher epoch, or at the same
 * epoch with different content. Nothing of that Distributed Data key was changed by the write.
 */
public final class StaleEpochException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final long attemptedEpoch;
  private final long currentEpoch;

  public StaleEpochException(String keyId, Object entry, long attemptedEpoch, long currentEpoch) {
    super(keyId + "[" + entry + "]: epoch " + attemptedEpoch + " does not beat the stored epoch "
        + currentEpoch);
    this.key = keyId + "[" + entry + "]";
    this.attemptedEpoch = attemptedEpoch;
    this.currentEpoch = currentEpoch;
  }

  /** {@code keyId[entry]}, e.g. {@code rekko-slots-3[200]}. */
  public String key() {
    return key;
  }

  public long attemptedEpoch() {
    return attemptedEpoch;
  }

  public long currentEpoch() {
    return currentEpoch;
  }
}
