package dev.rekko.node.proxy;

import dev.rekko.node.NodeLauncher;
import dev.rekko.node.config.NodeConfig;

/** Registers the data path with the {@code node} and {@code demo} commands (ServiceLoader). */
public final class DataPathLauncher implements NodeLauncher {
  @Override
  public AutoCloseable start(NodeConfig config) throws Exception {
    return RekkoNode.start(config);
  }
}
