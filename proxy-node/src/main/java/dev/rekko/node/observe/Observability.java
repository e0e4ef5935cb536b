package dev.rekko.node.observe;

import dev.rekko.node.config.ObserveSettings;

/**
 * What a node records of its own traffic, for SLOWLOG and the HTTP API ({@link ObserveRoutes}): the slow
 * log, the hot keys (null when {@code rekko.observe.hotkeys.enabled} is off) and the big keys. The data
 * path feeds them (proxy's {@code Observed}): every check it makes per command is a comparison with a
 * value read here, or one decrement of a session's {@link HotKeys.Sampler}.
 */
public final class Observability {
  private final SlowLog slowLog;
  private final HotKeys hotKeys;
  private final BigKeys bigKeys;
  private final double sampleRate;

  public Observability(ObserveSettings s) {
    this.slowLog = new SlowLog(s.slowlogSlowerThan(), s.slowlogMaxLen());
    this.hotKeys = s.hotKeysEnabled() ? new HotKeys(s.hotKeysSampleRate(), s.hotKeysCapacity()) : null;
    this.bigKeys = new BigKeys(s.bigKeysThreshold(), s.bigKeysMaxLen());
    this.sampleRate = s.hotKeysSampleRate();
  }

  /** {@code rekko.observe.hotkeys.sample-rate}, also when hot keys are off. */
  public double sampleRate() {
    return sampleRate;
  }

  public SlowLog slowLog() {
    return slowLog;
  }

  /** Null when hot keys are off. */
  public HotKeys hotKeys() {
    return hotKeys;
  }

  public BigKeys bigKeys() {
    return bigKeys;
  }

  /** The {@code rekko_bigkeys_total{direction}} counter: big requests or replies since the node started. */
  public long bigKeys(BigKeys.Direction direction) {
    return bigKeys.bigKeys(direction);
  }
}
