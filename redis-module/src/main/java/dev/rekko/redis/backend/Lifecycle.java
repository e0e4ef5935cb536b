package dev.rekko.redis.backend;

import java.nio.channels.SelectionKey;

/**
 * Where a {@link BackendConnection} is in its lifecycle: each incarnation goes CONNECTING (TCP, then TLS
 * when configured) → HANDSHAKE (AUTH, SELECT, CLIENT INFO: see {@link Handshake}) → UP, and on a failure
 * DOWN, from where {@link Reconnects} starts the next one; CLOSED is for good. It holds the current
 * incarnation's {@link BackendSocket}, its name on the server and its generation (a stale callback of an
 * earlier incarnation compares its own and does nothing), and the error the connection last failed with.
 * Guarded by the connection's lock.
 */
final class Lifecycle {
  enum State { CONNECTING, HANDSHAKE, UP, DOWN, CLOSED }

  private State state = State.CONNECTING;
  // Only the very first attempt queues commands: a node that has just started does not answer errors
  // for a healthy backend; later, a down server fails commands at once.
  private boolean queueWhileConnecting = true;
  private BackendSocket socket;
  // This incarnation's name on the server; null until CLIENT INFO has answered.
  private ServerClient client;
  private String lastError;
  private int generation;

  State state() {
    return state;
  }

  boolean is(State s) {
    return state == s;
  }

  /** Whether {@code gen} is the current incarnation. */
  boolean current(int gen) {
    return gen == generation;
  }

  int generation() {
    return generation;
  }

  /** The current socket; null while down or before it is opened. */
  BackendSocket socket() {
    return socket;
  }

  ServerClient client() {
    return client;
  }

  String lastError() {
    return lastError;
  }

  /** Whether a command sent now waits for the handshake rather than failing (the first attempt only). */
  boolean holdsCommands() {
    return (state == State.CONNECTING || state == State.HANDSHAKE) && queueWhileConnecting;
  }

  /** What a command sent while the server is down fails with. */
  String refusal(BackendAddress address) {
    return lastError != null ? lastError : "ERR backend " + address + " is not connected";
  }

  /** The next incarnation starts; its generation, or -1 when the connection is closed for good. */
  int begin() {
    if (state == State.CLOSED) {
      return -1;
    }
    state = State.CONNECTING;
    generation++;
    client = null;
    return generation;
  }

  void opened(BackendSocket s) {
    socket = s;
  }

  /** TCP (and TLS) are up: the handshake goes out, replies are read. */
  void connected() {
    state = State.HANDSHAKE;
    socket.key.interestOps(SelectionKey.OP_READ);
  }

  /** The handshake of incarnation {@code gen} was answered; false when that one is not current any more. */
  boolean identified(int gen, ServerClient self) {
    if (gen != generation || state != State.HANDSHAKE) {
      return false;
    }
    client = self;
    state = State.UP;
    lastError = null;
    return true;
  }

  /**
   * The current incarnation ends with {@code error} (closing its socket): DOWN, or CLOSED for good. False
   * when already closed.
   */
  boolean end(String error, boolean forGood) {
    if (state == State.CLOSED) {
      return false;
    }
    state = forGood ? State.CLOSED : State.DOWN;
    queueWhileConnecting = false;
    lastError = error;
    generation++;
    if (socket != null) {
      socket.close();
      socket = null;
    }
    return true;
  }
}
