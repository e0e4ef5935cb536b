package dev.rekko.node.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a {@link ClientCore} needs from the connection it serves: a place for reply bytes, reading on or
 * off, and closing. The NIO transport ({@link ClientConnection}) is a socket channel on a selector
 * thread; the Streams transport ({@link ClientFlow}) is a graph stage's inlet and outlet. Called on the
 * core's thread only.
 */
interface ClientTransport {
  /**
   * Writes reply bytes; returns how many it took now. What it did not take is offered again when
   * writable. What it took is no longer owed by the client, so a transport takes no more than its
   * socket is about to take (Streams: a slice at a time, see {@link ClientStage}).
   */
  int write(ByteBuffer bytes) throws IOException;

  /**
   * Whether {@link #write} may be called now. The NIO transport always says yes (the socket says how
   * much it takes); the Streams one only while its outlet is pulled.
   */
  boolean writable();

  /** When a write last went out, for a transport that is not {@link #writable}: how long it has waited. */
  long lastWriteNanos();

  /** The core wants input ({@code read}) and, having an incomplete write, to hear when writable ({@code write}). */
  void interest(boolean read, boolean write);

  /**
   * Closes the connection at once; replies not yet written are dropped. {@code graceful}: everything
   * owed was written, so a transport may let its last write finish first (Streams does).
   */
  void close(boolean graceful);
}
