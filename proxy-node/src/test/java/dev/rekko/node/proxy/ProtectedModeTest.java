package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rekko.node.RekkoNode;
import dev.rekko.node.config.ProxySettings;
import dev.rekko.protocol.Errors;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protected mode: the decision for every combination, and — when this machine has a non-loopback
 * address — a node bound to it answering a client that connects from that address with the DENIED
 * text and closing, unless a password is set or protected mode is off.
 */
class ProtectedModeTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(1).perClass();
  /** A non-loopback IPv4 address of this machine, if it has one. */
  private static final Optional<InetAddress> LAN = lanAddress();

  private static Optional<InetAddress> lanAddress() {
    try {
      return NetworkInterface.networkInterfaces().filter(i -> {
        try {
          return i.isUp() && !i.isLoopback();
        } catch (java.net.SocketException e) {
          return false;
        }
      }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()
          && !a.isLinkLocalAddress()).findFirst();
    } catch (java.net.SocketException e) {
      return Optional.empty();
    }
  }

  private static ProxySettings settings(boolean protectedMode, String password) {
    ProxySettings d = new ProxySettings("0.0.0.0", 0, password, 10, 10, Duration.ZERO, true);
    return new ProxySettings(d.host(), d.port(), password, 10, 10, Duration.ZERO, true, protectedMode, d.limits());
  }

  @Test
  void theDecision() throws Exception {
    InetAddress any = InetAddress.getByName("0.0.0.0");
    InetAddress lan = InetAddress.getByName("10.1.2.3");
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    InetAddress loopback6 = InetAddress.getByName("::1");
    InetAddress remote = InetAddress.getByName("203.0.113.9");

    assertThat(ProtectedMode.active(settings(true, ""), any)).isTrue();
    assertThat(ProtectedMode.active(settings(true, ""), lan)).isTrue();
    assertThat(ProtectedMode.active(settings(true, ""), loopback)).as("loopback listener").isFalse();
    assertThat(ProtectedMode.active(settings(true, ""), loopback6)).isFalse();
    assertThat(ProtectedMode.active(settings(true, "pw"), any)).as("a password is set").isFalse();
    assertThat(ProtectedMode.active(settings(false, ""), any)).as("turned off").isFalse();

    assertThat(ProtectedMode.refuses(true, remote)).isTrue();
    assertThat(ProtectedMode.refuses(true, lan)).isTrue();
    assertThat(ProtectedMode.refuses(true, loopback)).isFalse();
    assertThat(ProtectedMode.refuses(true, InetAddress.getByName("127.0.0.5"))).isFalse();
    assertThat(ProtectedMode.refuses(true, loopback6)).isFalse();
    assertThat(ProtectedMode.refuses(false, remote)).isFalse();
  }

  @Test
  void theTextIsRedisesAdaptedToRekko() {
    assertThat(Errors.PROTECTED_MODE).startsWith("DENIED Rekko is running in protected mode because protected mode is "
        + "enabled and no password is set for the default user. In this mode connections are only accepted from the "
        + "loopback interface.")
        .contains("rekko.proxy.protected-mode", "rekko.proxy.password").doesNotContain("\r", "\n", "CONFIG SET");
    assertThat(new String(ProtectedMode.DENIED, java.nio.charset.StandardCharsets.US_ASCII))
        .startsWith("-DENIED ").endsWith("\r\n");
  }

  private static RespSocket lanClient(RekkoNode node) throws Exception {
    return fx.track(new RespSocket(LAN.get().getHostAddress(), node.respPort(), ProxyFixture.TIMEOUT_MILLIS, 0));
  }

  @Test
  void aNodeOnANonLoopbackAddressRefusesClientsFromOtherAddresses() throws Exception {
    // Tests bind to loopback only: this one opens a node on the machine's network address for a moment,
    // so it runs only when asked for (-Drekko.test.lan=true); the decision itself is tested above.
    assumeTrue(Boolean.getBoolean("rekko.test.lan"), "binds a non-loopback address: run with -Drekko.test.lan=true");
    assumeTrue(LAN.isPresent(), "this machine has no non-loopback address to test on");
    String host = LAN.get().getHostAddress();
    RekkoNode open = fx.startNode(Map.of("rekko.proxy.host", host));
    RespSocket refused = lanClient(open);
    assertThat(refused.read()).isEqualTo(new RespSocket.Err(Errors.PROTECTED_MODE));
    assertThat(refused.closedByServer()).isTrue();

    RekkoNode off = fx.startNode(Map.of("rekko.proxy.host", host, "rekko.proxy.protected-mode", "off"));
    assertThat(lanClient(off).call("PING")).isEqualTo("PONG");

    RekkoNode withPassword = fx.startNode(Map.of("rekko.proxy.host", host, "rekko.proxy.password", "pw"));
    assertThat(lanClient(withPassword).call("PING")).isEqualTo(new RespSocket.Err(Errors.NOAUTH));
  }
}
