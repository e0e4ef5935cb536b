package dev.rekko.node.stats;

/** Counters and latency of one command name; recording is thread-safe and allocation-free. */
public interface CommandStats {
  void record(long latencyNanos, boolean error);

  /** The command was answered with this error reply (RESP bytes), counted by its kind. */
  default void failed(byte[] reply, int off, int len) {}
}
