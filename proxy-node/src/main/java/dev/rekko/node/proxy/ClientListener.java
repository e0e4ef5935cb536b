package dev.rekko.node.proxy;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The node's RESP listener, whichever transport serves it: {@link RespServer} (NIO) or {@link StreamsServer}. */
interface ClientListener {
  InetSocketAddress address();

  default int port() {
    return address().getPort();
  }

  /** Stops accepting; connections already open go on until the actor system terminates. */
  CompletionStage<?> stop();

  /** Why the listener can no longer serve (its I/O threads died), short of being stopped; empty while it can. */
  default Optional<String> broken() {
    return Optional.empty();
  }
}
