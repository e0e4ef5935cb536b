package dev.rekko.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * The {@code rekko.topology} section of the configuration.
 *
 * @param groupWrites   consistency of group writes (coordinator)
 * @param slotWrites    consistency of slot writes (slot actors, seed)
 * @param nodeWrites    consistency of a node's own entry
 * @param metaWrites    consistency of the bootstrapped marker and the epoch high-water mark
 * @param initialRead   consistency of the first read of every key, which decides {@code loaded}
 * @param readRetry     pause before a failed first read is tried again
 * @param askTimeout    how long a writer waits for the Replicator at all; above every write timeout
 */
public record TopologySettings(
    Replicator.WriteConsistency groupWrites,
    Replicator.WriteConsistency slotWrites,
    Replicator.WriteConsistency nodeWrites,
    Replicator.WriteConsistency metaWrites,
    Replicator.ReadConsistency initialRead,
    Duration readRetry,
    Duration askTimeout) {

  public static TopologySettings create(Config root) {
    Config c = root.getConfig("rekko.topology");
    Duration writeTimeout = c.getDuration("write-timeout");
    return new TopologySettings(
        write(c.getString("group-writes"), writeTimeout),
        write(c.getString("slot-writes"), writeTimeout),
        write(c.getString("node-writes"), writeTimeout),
        write(c.getString("meta-writes"), writeTimeout),
        read(c.getString("initial-read"), c.getDuration("read-timeout")),
        c.getDuration("read-retry"),
        writeTimeout.plus(c.getDuration("ask-margin")));
  }

  /**
   * The settings that make the topology durable under a node's data directory: LMDB in
   * {@code <dataDir>/distributed-data}. The node puts these in front of its configuration. The folder
   * must be fixed per node: Pekko appends the system name and port to a folder whose name ends with
   * {@code ddata} (its default), and an ephemeral or changed port would then start from an empty store.
   * The key list is repeated because a list in a library's reference.conf is replaced, not merged, when
   * another reference.conf earlier on the class path sets the same path.
   */
  public static Config durableStoreConfig(Path dataDir) {
    return ConfigFactory.parseMap(Map.of(
        "pekko.cluster.distributed-data.durable.lmdb.dir", dataDir.resolve("distributed-data").toString(),
        "pekko.cluster.distributed-data.durable.keys", List.of("rekko-*")));
  }

  static Replicator.WriteConsistency write(String name, Duration timeout) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "local" -> Replicator.writeLocal();
      case "majority" -> new Replicator.WriteMajority(timeout);
      case "all" -> new Replicator.WriteAll(timeout);
      default -> throw new IllegalArgumentException("write consistency must be local, majority or all: "
          + name);
    };
  }

  static Replicator.ReadConsistency read(String name, Duration timeout) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "local" -> Replicator.readLocal();
      case "majority" -> new Replicator.ReadMajority(timeout);
      case "all" -> new Replicator.ReadAll(timeout);
      default -> throw new IllegalArgumentException("read consistency must be local, majority or all: "
          + name);
    };
  }
}
