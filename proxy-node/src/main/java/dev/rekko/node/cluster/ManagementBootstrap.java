package dev.rekko.node.cluster;

import dev.rekko.node.config.ManagementSettings;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * {@code rekko.cluster.bootstrap = management}: starts Pekko Management's HTTP endpoint (the contact point
 * the other nodes' Cluster Bootstrap asks whether this node is in a cluster) and this node's Cluster
 * Bootstrap, which finds the others by {@code rekko.cluster.discovery} and joins, or forms, the cluster.
 * The settings reach Pekko as {@code pekko.management.*} and {@code pekko.discovery.*}
 * ({@link ManagementSettings#pekkoSettings()}). The endpoint closes with the node's other listeners.
 */
final class ManagementBootstrap {
  private ManagementBootstrap() {}

  /**
   * Binds the endpoint (waiting for it, so that a port in use fails the start) and starts Bootstrap.
   *
   * @return the endpoint's {@code host:port}
   */
  static String start(ActorSystem<?> system) throws Exception {
    PekkoManagement management = PekkoManagement.get(system);
    var uri = management.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    // After this node has left: it must not answer other nodes' Bootstrap as a member any more.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "rekko-management-unbind",
        () -> management.stop().exceptionally(e -> Done.getInstance()).toCompletableFuture()
            .thenApply(d -> Done.getInstance()));
    ClusterBootstrap.get(system).start();
    return uri.host().address() + ":" + uri.port();
  }
}
