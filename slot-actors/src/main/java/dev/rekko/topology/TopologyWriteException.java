package dev.rekko.topology;

/**
 * The Replicator did not confirm a write as asked. The update was applied on this node and will still
 * spread by gossip; what failed is the requested consistency within its timeout, or the durable store.
 * (A write that lost on epoch fails with {@link StaleEpochException} instead, and changed nothing.)
 */
public final class TopologyWriteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TopologyWriteException(String message) {
    super(message);
  }

  public TopologyWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
