package dev.rekko.node.proxy;

import dev.rekko.node.config.ProxySettings;
import dev.rekko.protocol.Errors;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * Redis's protected mode for the RESP listener: a node reachable from other machines (its listener
 * binds an address other than loopback, such as 0.0.0.0) without a password answers clients from
 * other machines with {@link Errors#PROTECTED_MODE} and closes, unless
 * {@code rekko.proxy.protected-mode = off}. Loopback clients are always served.
 */
final class ProtectedMode {
  static final byte[] DENIED = ("-" + Errors.PROTECTED_MODE + "\r\n").getBytes(StandardCharsets.US_ASCII);

  private ProtectedMode() {}

  /** Whether the listener bound to {@code bound} refuses non-loopback clients. */
  static boolean active(ProxySettings proxy, InetAddress bound) {
    return proxy.protectedMode() && proxy.password().isEmpty() && !bound.isLoopbackAddress();
  }

  /** Whether a client from {@code client} is refused by a listener whose protected mode is {@code active}. */
  static boolean refuses(boolean active, InetAddress client) {
    return active && !client.isLoopbackAddress();
  }
}
