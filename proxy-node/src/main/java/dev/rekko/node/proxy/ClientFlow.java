package dev.rekko.node.proxy;

import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * One client connection as a Pekko Streams flow: request bytes in, reply bytes out, served by the same
 * session core as the NIO transport ({@link ClientCore}). Each materialization is one client.
 */
public final class ClientFlow {
  private ClientFlow() {
  }

  /**
   * A flow serving one client. The caller has counted the client in the node's clients
   * ({@code max-clients}); the flow gives the count back when it stops.
   *
   * @param remote the client's address as {@code host:port}, as CLIENT LIST shows it
   * @param local  the listener's address as {@code host:port} ({@code laddr})
   */
  public static Flow<ByteString, ByteString, NotUsed> create(NodeContext ctx, String remote, String local) {
    throw new UnsupportedOperationException("not yet");
  }
}
