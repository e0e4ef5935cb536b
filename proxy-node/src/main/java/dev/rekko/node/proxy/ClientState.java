package dev.rekko.node.proxy;

import dev.rekko.protocol.command.CommandSpec;

/**
 * What the CLIENT commands set on a session and what CLIENT INFO/LIST show of it: REPLY's mode,
 * NO-EVICT, NO-TOUCH, the node's address the client reached, its last command. Written by the session's
 * thread; read by other sessions' threads for CLIENT LIST (plain fields, a stale read is fine) and by
 * the node's memory budget (NO-EVICT, volatile).
 */
final class ClientState {
  static final int REPLY_ON = 0;
  static final int REPLY_OFF = 1;
  /** The next command's reply is not written. */
  static final int REPLY_SKIP = 2;

  private String name;
  private String libName;
  private String libVersion;
  private int replyMode;
  private volatile boolean noEvict;
  private boolean noTouch;
  private String local = "";
  private CommandSpec lastCommand;
  private long lastNanos = System.nanoTime();

  /**
   * A command was dispatched at {@code nanos}: remembered for CLIENT INFO. True when its reply is not to
   * be written (CLIENT REPLY OFF, or the one after SKIP).
   */
  boolean dispatched(CommandSpec spec, long nanos) {
    lastCommand = spec;
    lastNanos = nanos;
    if (replyMode == REPLY_ON) {
      return false;
    }
    if (replyMode == REPLY_SKIP) {
      replyMode = REPLY_ON;
    }
    return true;
  }

  /** The CLIENT SETNAME name; null when none. */
  String name() {
    return name;
  }

  /** An empty name clears it, as in Redis. */
  void rename(String newName) {
    name = newName.isEmpty() ? null : newName;
  }

  /** CLIENT SETINFO LIB-NAME; null when none. */
  String libName() {
    return libName;
  }

  void libName(String value) {
    libName = value;
  }

  /** CLIENT SETINFO LIB-VER; null when none. */
  String libVersion() {
    return libVersion;
  }

  void libVersion(String value) {
    libVersion = value;
  }

  /** RESET: no name, replies on, NO-EVICT and NO-TOUCH off (the library name and version stay, as in Redis). */
  void reset() {
    name = null;
    replyMode = REPLY_ON;
    noEvict = false;
    noTouch = false;
  }

  int replyMode() {
    return replyMode;
  }

  void replyMode(int mode) {
    replyMode = mode;
  }

  boolean noEvict() {
    return noEvict;
  }

  void noEvict(boolean on) {
    noEvict = on;
  }

  boolean noTouch() {
    return noTouch;
  }

  void noTouch(boolean on) {
    noTouch = on;
  }

  /** The node's address the client connected to, {@code host:port} (CLIENT INFO's laddr). */
  String local() {
    return local;
  }

  void local(String address) {
    local = address;
  }

  /** The last command dispatched; null before any, or when it was unknown (CLIENT INFO's cmd=NULL). */
  CommandSpec lastCommand() {
    return lastCommand;
  }

  /** When the last command was dispatched, {@link System#nanoTime()}. */
  long lastNanos() {
    return lastNanos;
  }
}
