package dev.rekko.redis.migrate;

import dev.rekko.redis.backend.BackendAddress;

/**
 * A walk or a batch could not complete: the source or a target stayed unreachable after the retries,
 * or a server refused the move (a target's error reply, wrong credentials, a protocol error). The
 * message names the source, the target and the database; keys not yet moved are still on the source,
 * so the walk can simply be run again once the cause is fixed.
 */
public final class MoveException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient BackendAddress source;
  private final transient BackendAddress target;
  private final int db;

  public MoveException(String message, BackendAddress source, BackendAddress target, int db, Throwable cause) {
    super(message, cause);
    this.source = source;
    this.target = target;
    this.db = db;
  }

  public BackendAddress source() {
    return source;
  }

  /** The target of the failed batch, or null when the source itself failed (SCAN, SELECT). */
  public BackendAddress target() {
    return target;
  }

  /** The source database of the failed batch, or -1 when the failure was not about one database. */
  public int db() {
    return db;
  }
}
