package dev.rekko.node;

import dev.rekko.node.config.NodeConfig;

/**
 * Starts the data path of one node (RESP listener, routing, backends, HTTP API). The {@code node}
 * and {@code demo} commands find the implementation with {@link java.util.ServiceLoader}: the data
 * path registers it in {@code META-INF/services/dev.rekko.node.NodeLauncher}.
 */
public interface NodeLauncher {
  /**
   * Starts a node and returns once its listeners are bound. Closing the result stops the node and
   * returns when it has stopped.
   */
  AutoCloseable start(NodeConfig config) throws Exception;
}
