package dev.rekko.node.demo;

import java.util.OptionalInt;

/** One node the demo started: a child JVM in the demo, a stand-in in tests. */
public interface DemoNode extends AutoCloseable {

  /** Starts node {@code spec.index()} and returns without waiting for it to serve. */
  @FunctionalInterface
  interface Starter {
    DemoNode start(NodeSpec spec) throws Exception;
  }

  /** Empty while the node runs; its exit code once it has ended. */
  OptionalInt exitCode();

  /** The last lines of the node's output, for error messages; empty when there is none. */
  String logTail();

  /** Asks the node to stop without waiting, so that all nodes of a demo can leave at once. */
  default void requestStop() {
  }

  /** Stops the node if it still runs and returns once it has ended. Never throws. */
  @Override
  void close();
}
