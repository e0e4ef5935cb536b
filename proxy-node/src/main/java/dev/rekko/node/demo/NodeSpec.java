package dev.rekko.node.demo;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What node {@code index} of a demo is started with.
 *
 * @param configFile the user's {@code --config}, given to every node
 * @param settings the node's {@code -D key=value} settings, in order: the user's first, then the
 *     demo's own (ports, cluster, bootstrap, data folder), which win
 * @param logFile where the node's standard output and error go
 */
public record NodeSpec(int index, Optional<Path> configFile, Map<String, String> settings, Path logFile) {
  public NodeSpec {
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
  }
}
