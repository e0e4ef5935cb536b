package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;

/**
 * Holds the current {@link RoutingTable}. The hot path reads it with one volatile load; whoever follows
 * the topology swaps in a new table. {@link #table()} is null while the node must not route: before the
 * topology is loaded ({@code ERR router is not online}, as Codis's waiting proxy answers) and while the
 * node is fenced; {@link #refusal()} then says which.
 */
public final class Router {
  /** Sent while the node cannot see a majority of the cluster (see {@code rekko.cluster.fence-after}). */
  public static final String FENCED = "ERR node is fenced: it cannot see a majority of the Rekko cluster";

  /** Sent once the node has begun to stop (coordinated shutdown): the client should use another node. */
  public static final String SHUTTING_DOWN = "ERR node is shutting down: use another node of the Rekko cluster";

  private volatile RoutingTable table;
  private volatile boolean fenced;
  // Set once, before fenced; read only on the refusal path.
  private volatile boolean shuttingDown;
  // The lease's deadline (System.nanoTime), renewed by the FenceMonitor; none until the first renewal.
  private volatile long leaseUntil;
  private volatile boolean leased;
  // Written after table, so a reader that sees a generation also sees that table or a newer one.
  private volatile long generation = 1;

  public Router(RoutingTable initial) {
    this.table = initial;
  }

  /**
   * The table to route with, or null when commands must be refused with {@link #refusal()}: also once
   * the lease has run out, whatever the FenceMonitor last said, so that a node waking from a long pause
   * refuses before its monitor has even run.
   */
  public RoutingTable table() {
    return fenced || !leaseValid() ? null : table;
  }

  private boolean leaseValid() {
    return leased && System.nanoTime() - leaseUntil < 0;
  }

  /** Extends the lease to {@code untilNanos} ({@link System#nanoTime()} based); one writer. */
  public void renewLease(long untilNanos) {
    leaseUntil = untilNanos;
    leased = true;
  }

  /** The table last loaded, fenced or not (for INFO and the API). */
  public RoutingTable loaded() {
    return table;
  }

  public String refusal() {
    if (fenced) {
      return shuttingDown ? SHUTTING_DOWN : FENCED;
    }
    // A node that never had a lease is still starting: that is "not online", as before it loaded.
    return table == null || !leased ? Errors.ROUTER_NOT_ONLINE : FENCED;
  }

  /** Swaps the table; one writer (the thread following the topology). */
  public void update(RoutingTable next) {
    long g = generation + 1;
    this.table = next;
    this.generation = g;
  }

  /** Counts table swaps; sessions note it at the start of each batch (see {@link NodeContext#quiescent}). */
  public long generation() {
    return generation;
  }

  public void fence(boolean on) {
    this.fenced = on || shuttingDown;
  }

  /** Refuses every command from now on, saying the node is shutting down. */
  public void shutDown() {
    shuttingDown = true;
    fenced = true;
  }

  /** Whether a loaded table is refused now (fenced, or the lease has run out). */
  public boolean fenced() {
    return fenced || !leaseValid();
  }
}
