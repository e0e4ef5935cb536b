package dev.rekko.node.proxy;

/**
 * Holds the current {@link RoutingTable}. The hot path reads it with one volatile load; whoever follows
 * the topology swaps in a new table. Null until a table is loaded: the node then answers
 * {@code ERR router is not online}, as Codis's waiting proxy does.
 */
public final class Router {
  private volatile RoutingTable table;

  public Router(RoutingTable initial) {
    this.table = initial;
  }

  public RoutingTable table() {
    return table;
  }

  public void update(RoutingTable next) {
    this.table = next;
  }
}
