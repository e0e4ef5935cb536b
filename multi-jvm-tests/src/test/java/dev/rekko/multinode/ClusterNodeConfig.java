package dev.rekko.multinode;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.apache.pekko.remote.testconductor.RoleName;
import org.apache.pekko.remote.testkit.MultiNodeConfig;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Base configuration of every multi-JVM spec: a Pekko cluster on loopback with the Split Brain
 * Resolver (keep-majority) and failure detection fast enough that a partition is decided within
 * seconds. Subclasses declare their roles with {@link #role(String)} in field initialisers; the
 * first role runs the test conductor and is the only node that may inject faults.
 */
public abstract class ClusterNodeConfig extends MultiNodeConfig {

  private static final Config BASE = ConfigFactory.parseString("""
      pekko {
        actor.provider = cluster
        # pekko-multi-node-testkit is only published up to 1.4.0 while the rest of Pekko is 1.7.0;
        # the mix is harmless for the testkit but Pekko refuses to start without this.
        fail-mixed-versions = off

        # pekko-actor-typed adds the SLF4J logger next to the testkit's stdout logger, which would
        # print every line twice; one logger through Logback (logback-test.xml) is enough.
        loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
        logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
        loglevel = WARNING
        stdout-loglevel = WARNING
        log-dead-letters = off
        log-dead-letters-during-shutdown = off

        remote.artery {
          canonical.hostname = "127.0.0.1"
          canonical.port = 0
        }

        cluster {
          downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
          split-brain-resolver {
            active-strategy = keep-majority
            # 20 s by default; 5 s keeps a partition scenario well under a minute.
            stable-after = 5s
          }
          failure-detector {
            heartbeat-interval = 500ms
            # Long enough that a GC pause on a loaded 2-core machine is not mistaken for a partition.
            acceptable-heartbeat-pause = 3s
          }
          periodic-tasks-initial-delay = 300ms
          gossip-interval = 300ms
          leader-actions-interval = 300ms
          unreachable-nodes-reaper-interval = 300ms
          log-info = off
          jmx.enabled = off
        }

        # A downed node must really stop, as a production node would, so that a scenario can
        # observe it (getWhenTerminated). The JVM itself stays up: the node's main decides the exit
        # code, and the runner checks it.
        coordinated-shutdown {
          terminate-actor-system = on
          exit-jvm = off
        }
      }
      """);

  private Config common = BASE;

  protected ClusterNodeConfig() {
    testTransport(true);
    commonConfig(common);
  }

  /** Layers HOCON over the base configuration on every node; later calls win over earlier ones. */
  protected final void overrideConfig(String hocon) {
    common = ConfigFactory.parseString(hocon).withFallback(common);
    commonConfig(common);
  }

  /**
   * Layers HOCON over the common configuration on one node only (ports, data folders). A second
   * call for the same role replaces the first.
   */
  protected final void overrideConfig(RoleName role, String hocon) {
    nodeConfig(seq(role), seq(ConfigFactory.parseString(hocon)));
  }

  private static <T> scala.collection.immutable.Seq<T> seq(T element) {
    return CollectionConverters.asScala(List.of(element)).toList();
  }
}
