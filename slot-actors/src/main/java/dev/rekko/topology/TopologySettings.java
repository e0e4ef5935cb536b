package dev.rekko.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * How the topology is written and read in Distributed Data. A node builds it from its {@code rekko.topology}
 * settings (read and checked at start by proxy-node's configuration, where the keys are documented);
 * this module reads no configuration itself.
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

  /** A consistency level as the settings name it: {@code local}, {@code majority} or {@code all}. */
  public enum Consistency {
    LOCAL, MAJORITY, ALL;

    public Replicator.WriteConsistency write(Duration timeout) {
      return switch (this) {
        case LOCAL -> Replicator.writeLocal();
        case MAJORITY -> new Replicator.WriteMajority(timeout);
        case ALL -> new Replicator.WriteAll(timeout);
      };
    }

    public Replicator.ReadConsistency read(Duration timeout) {
      return switch (this) {
        case LOCAL -> Replicator.readLocal();
        case MAJORITY -> new Replicator.ReadMajority(timeout);
        case ALL -> new Replicator.ReadAll(timeout);
      };
    }
  }

  /**
   * The settings from their {@code rekko.topology} values: the four write levels share {@code writeTimeout},
   * and a writer waits {@code askMargin} longer than that for the Replicator's own answer.
   */
  public static TopologySettings of(Consistency groupWrites, Consistency slotWrites, Consistency nodeWrites,
      Consistency metaWrites, Duration writeTimeout, Duration askMargin, Consistency initialRead,
      Duration readTimeout, Duration readRetry) {
    return new TopologySettings(groupWrites.write(writeTimeout), slotWrites.write(writeTimeout),
        nodeWrites.write(writeTimeout), metaWrites.write(writeTimeout), initialRead.read(readTimeout), readRetry,
        writeTimeout.plus(askMargin));
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
}
