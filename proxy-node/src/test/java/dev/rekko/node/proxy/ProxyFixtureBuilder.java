package dev.rekko.node.proxy;

import java.util.LinkedHashMap;
import java.util.Map;

/** The settings of a {@link ProxyFixture}: {@code ProxyFixture.builder().groups(2)...start()}. */
final class ProxyFixtureBuilder {
  int groups = 2;
  int replicas;
  String backendPassword = "";
  boolean backendTls;
  boolean migrationsPaused;
  boolean reference;
  final Map<String, String> overrides = new LinkedHashMap<>();

  ProxyFixtureBuilder groups(int n) {
    this.groups = n;
    return this;
  }

  ProxyFixtureBuilder replicas(int n) {
    this.replicas = n;
    return this;
  }

  /** Every Redis server demands this password, and the node is configured to send it. */
  ProxyFixtureBuilder backendPassword(String password) {
    this.backendPassword = password;
    return this;
  }

  /**
   * Every Redis server listens only on {@code tls-port} and requires client certificates (replicas follow
   * over TLS, MIGRATE goes over TLS: {@code tls-cluster yes}); the node gets {@code rekko.backend.tls}.
   */
  ProxyFixtureBuilder backendTls() {
    this.backendTls = true;
    return this;
  }

  /** A node setting, e.g. {@code set("rekko.proxy.max-clients", "5")}. */
  ProxyFixtureBuilder set(String key, String value) {
    overrides.put(key, value);
    return this;
  }

  /**
   * The coordinator's migrations are paused once the node serves ({@link ProxyFixture#pauseMigrations}):
   * for tests that play the slot actor, writing a slot's migration steps themselves ({@link ByHand}), so
   * that the movers do not finish a migration behind their back, or whose new groups must stay without
   * slots.
   */
  ProxyFixtureBuilder migrationsPaused() {
    this.migrationsPaused = true;
    return this;
  }

  /**
   * A plain redis-server beside the groups, started after the node and closed with the fixture
   * ({@link ProxyFixture#reference()}): what a test compares the node's answers with.
   */
  ProxyFixtureBuilder reference() {
    this.reference = true;
    return this;
  }

  ProxyFixture start() throws Exception {
    ProxyFixture fixture = new ProxyFixture(this);
    fixture.open();
    return fixture;
  }

  /** A fixture to register with {@code @RegisterExtension}: it starts before the class's tests. */
  ProxyFixture perClass() {
    return new ProxyFixture(this);
  }
}
