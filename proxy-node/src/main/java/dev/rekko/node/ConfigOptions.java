package dev.rekko.node;

import dev.rekko.node.config.NodeConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code -D key=value}, shared by the commands that load a node config. */
final class ConfigOptions {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "HOCON file with the node's settings (keys and defaults: reference.conf in the jar).")
  Path file;

  @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
      description = "Overrides one setting, e.g. -D rekko.proxy.port=19001; repeatable; "
          + "values starting with [ or { are HOCON.")
  Map<String, String> overrides = new LinkedHashMap<>();

  Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** The overrides with {@code fixed} on top. */
  Map<String, String> overridesWith(Map<String, String> fixed) {
    Map<String, String> all = new LinkedHashMap<>(overrides);
    all.putAll(fixed);
    return all;
  }

  NodeConfig load() {
    return NodeConfig.load(file(), overrides);
  }
}
