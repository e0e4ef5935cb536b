package dev.rekko.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import dev.rekko.coordinator.CoordinatorSettings;
import dev.rekko.coordinator.http.AdminApiSettings;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.redis.migrate.Credentials;
import dev.rekko.slots.GroupMover;
import dev.rekko.slots.GroupMoverSettings;
import dev.rekko.slots.SlotSharding;
import dev.rekko.topology.TopologySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a node is configured with: the typed {@code rekko.*} settings and the complete
 * {@link #config() Config} (Pekko's settings included) to create the ActorSystem with.
 *
 * <p>Every {@code rekko.*} key is read and checked here, once, and handed down as these records
 * (the lower modules' own among them: {@link TopologySettings}, {@link CoordinatorSettings}, the
 * group movers' settings); no part of the node reads {@code rekko.*} from the Config after start. The
 * Config still carries what Pekko reads: its own settings and the dispatchers some parts run on.
 *
 * <p>Sources, strongest first: {@code overrides} (the command line's {@code -D key=value}), JVM
 * system properties, the config file, {@code application.conf}, environment variables named in
 * {@code reference.conf} ({@code ${?REKKO_...}}), the defaults. {@code rekko.dispatcher.parallelism}
 * is then applied to the default dispatcher above all of them.
 */
public record NodeConfig(
    ProxySettings proxy,
    /** {@code rekko.proxy.tls}: the client TLS listener; {@link ClientTls#OFF} when its port is 0. */
    ClientTls clientTls,
    BackendSettings backend,
    AdminSettings admin,
    ClusterSettings cluster,
    MigrationSettings migration,
    /** {@code rekko.topology}: how the replicated topology is written and read. */
    TopologySettings topology,
    /** {@code rekko.coordinator}, with the bootstrap groups, the backend credentials and {@code rekko.ha}. */
    CoordinatorSettings coordinator,
    /** {@code rekko.ha.durable-writes} and {@code durable-timeout}, also applied to the backend connections. */
    DurableWrites durableWrites,
    /** {@code rekko.node.datacenter}: replica reads prefer replicas labelled with it; empty = none. */
    String datacenter,
    /** Sorted by id; servers master first. */
    List<GroupSeed> bootstrapGroups,
    /** {@code rekko.redis.binary}; empty = the launcher's own choice. */
    String redisBinary,
    Path dataDir,
    /** Threads of the default dispatcher, already resolved (0 in the file means the core count). */
    int dispatcherParallelism,
    /** {@code rekko.proxy.slowlog-*}, {@code rekko.observe} and {@code rekko.log.format}. */
    ObserveSettings observe,
    Config config) {

  private static int ioThreads(int configured) {
    return configured == 0 ? ProxySettings.autoIoThreads() : configured;
  }

  private static final String PEKKO_DEFAULTS = "dev/rekko/node/config/pekko-defaults.conf";

  public NodeConfig {
    bootstrapGroups = List.copyOf(bootstrapGroups);
  }

  /** Loads with this process's environment variables. */
  public static NodeConfig load(Optional<Path> file, Map<String, String> overrides) {
    return load(file, overrides, System.getenv());
  }

  /** Defaults plus {@code overrides}, ignoring the environment: for tests and tools. */
  public static NodeConfig of(Map<String, String> overrides) {
    return load(Optional.empty(), overrides, Map.of());
  }

  /**
   * Loads with {@code env} standing in for the environment variables.
   *
   * @throws NodeConfigException naming every key that is missing, mistyped or out of range
   */
  public static NodeConfig load(Optional<Path> file, Map<String, String> overrides, Map<String, String> env) {
    ClassLoader loader = NodeConfig.class.getClassLoader();
    try {
      Config unresolved = overrides(overrides)
          .withFallback(ConfigFactory.systemProperties())
          .withFallback(file.map(NodeConfig::parseFile).orElse(ConfigFactory.empty()))
          .withFallback(ConfigFactory.parseResourcesAnySyntax(loader, "application"))
          .withFallback(ConfigFactory.parseResources(loader, PEKKO_DEFAULTS))
          .withFallback(ConfigFactory.defaultReferenceUnresolved(loader));
      return fromResolved(resolveWith(unresolved, env));
    } catch (ConfigException e) {
      throw new NodeConfigException(List.of(e.getMessage()), e);
    }
  }

  /** The bootstrap groups' even slot spread, see {@link GroupSeed#evenSlots}. */
  public int[] bootstrapSlots() {
    return GroupSeed.evenSlots(bootstrapGroups);
  }

  private static NodeConfig fromResolved(Config c) {
    ConfigReader r = new ConfigReader(c);
    ProxySettings proxy = new ProxySettings(
        r.host("rekko.proxy.host"),
        r.port("rekko.proxy.port"),
        r.string("rekko.proxy.password"),
        r.integer("rekko.proxy.max-clients", 1, Integer.MAX_VALUE),
        r.integer("rekko.proxy.max-pipeline", 1, Integer.MAX_VALUE),
        r.duration("rekko.proxy.idle-timeout", true),
        r.bool("rekko.proxy.tcp-keepalive"),
        r.bool("rekko.proxy.protected-mode"),
        ClientLimits.read(r),
        r.choice("rekko.proxy.transport", ProxySettings.Transport.class, ProxySettings.Transport.NIO),
        ioThreads(r.integer("rekko.proxy.io-threads", 0, 1024)));
    ClientTls clientTls = ClientTls.read(r);
    BackendOptions connections = new BackendOptions(
        r.string("rekko.backend.user"),
        r.string("rekko.backend.password"),
        r.integer("rekko.backend.connections-per-server", 1, 1024),
        r.duration("rekko.backend.connect-timeout", false),
        r.duration("rekko.backend.receive-timeout", false),
        r.duration("rekko.backend.reconnect-backoff-min", false),
        r.duration("rekko.backend.reconnect-backoff-max", false),
        r.duration("rekko.backend.ping-period", false)).withTls(BackendTlsSettings.read(r));
    DurableWrites durableWrites = ModuleSettings.durableWrites(r);
    if (durableWrites.enabled()) {
      connections = connections.withDurableWrites(durableWrites.timeout());
    }
    BackendSettings backend = new BackendSettings(connections,
        r.integer("rekko.backend.databases", 1, Integer.MAX_VALUE),
        r.integer("rekko.backend.max-blocking-connections", 0, Integer.MAX_VALUE));
    AdminSettings admin = new AdminSettings(r.host("rekko.admin.host"), r.port("rekko.admin.port"),
        new AdminApiSettings(r.string("rekko.admin.token"), r.duration("rekko.admin.request-timeout", false)),
        r.bool("rekko.admin.allow-unauthenticated"), TlsSettings.admin(r));
    List<GroupSeed> groups = BootstrapGroups.read(r, "rekko.bootstrap.groups");
    String redisBinary = r.string("rekko.redis.binary");
    String dataDir = r.string("rekko.data-dir");
    int parallelism = r.integer("rekko.dispatcher.parallelism", 0, 4096);
    MigrationSettings migration = new MigrationSettings(
        r.duration("rekko.migration.hold-timeout", false),
        r.integer("rekko.migration.max-parallel-walks", 1, 1024),
        new GroupMoverSettings(new Credentials(backend.user(), backend.password(), connections.tls()),
            ModuleSettings.serverMover(r)));
    TopologySettings topology = ModuleSettings.topology(r);
    CoordinatorSettings coordinator = ModuleSettings.coordinator(r, groups, backend);
    String datacenter = r.string("rekko.node.datacenter").trim();
    ObserveSettings observe = ObserveSettings.read(r);
    ClusterSettings cluster = new ClusterSettings(
        r.host("rekko.cluster.host"),
        r.port("rekko.cluster.port"),
        r.addresses("rekko.cluster.seed-nodes"),
        r.formNewCluster("rekko.cluster.form-new-cluster"),
        r.duration("rekko.cluster.stable-after", false),
        r.duration("rekko.cluster.fence-after", false),
        r.onDowned("rekko.cluster.on-downed"),
        TlsSettings.cluster(r),
        r.bootstrap("rekko.cluster.bootstrap"),
        ManagementSettings.read(r, r.host("rekko.cluster.host")));

    if (!backend.user().isEmpty() && backend.password().isEmpty()) {
      r.problem("rekko.backend.user", "an ACL user needs rekko.backend.password as well");
    }
    if (connections.reconnectBackoffMax().compareTo(connections.reconnectBackoffMin()) < 0) {
      r.problem("rekko.backend.reconnect-backoff-max", "is shorter than rekko.backend.reconnect-backoff-min");
    }
    if (proxy.port() != 0 && proxy.port() == admin.port()) {
      r.problem("rekko.admin.port", admin.port() + " is rekko.proxy.port as well");
    }
    if (cluster.fenceAfter().compareTo(cluster.stableAfter()) >= 0) {
      r.problem("rekko.cluster.fence-after", cluster.fenceAfter() + " must be shorter than rekko.cluster.stable-after ("
          + cluster.stableAfter() + "): a minority must stop serving before the majority downs it");
    }
    if (!admin.tokenRequired() && !admin.allowUnauthenticated() && !AdminSettings.isLoopback(admin.host())) {
      r.problem("rekko.admin.host", admin.host() + " is not a loopback address and rekko.admin.token is empty: "
          + "anyone who reaches the HTTP port could change the cluster. Set rekko.admin.token, bind "
          + "127.0.0.1, or set rekko.admin.allow-unauthenticated = on");
    }
    if (cluster.port() != 0 && (cluster.port() == proxy.port() || cluster.port() == admin.port())) {
      r.problem("rekko.cluster.port", cluster.port() + " is also the RESP or HTTP port");
    }
    if (cluster.bootstrap() == ClusterSettings.Bootstrap.MANAGEMENT) {
      cluster.management().check(r, cluster, proxy.port(), admin.port(), cluster.port(), clientTls.port());
    }
    if (clientTls.enabled() && (clientTls.port() == proxy.port() || clientTls.port() == admin.port()
        || clientTls.port() == cluster.port())) {
      r.problem("rekko.proxy.tls.port", clientTls.port() + " is also the RESP, HTTP or cluster port");
    }
    if (dataDir.isBlank()) {
      r.problem("rekko.data-dir", "must not be empty");
    }
    r.throwIfProblems();

    int threads = parallelism == 0 ? Runtime.getRuntime().availableProcessors() : parallelism;
    Path dir = Path.of(dataDir);
    Map<String, Object> pekko = new java.util.HashMap<>(Map.of(
        "pekko.actor.default-dispatcher.fork-join-executor.parallelism-min", threads,
        "pekko.actor.default-dispatcher.fork-join-executor.parallelism-max", threads,
        "pekko.remote.artery.canonical.hostname", cluster.host(),
        "pekko.remote.artery.canonical.port", cluster.port(),
        // The node joins by itself (ClusterFormation), never through Pekko's automatic first-seed self-join.
        "pekko.cluster.seed-nodes", List.of(),
        "pekko.cluster.split-brain-resolver.stable-after", cluster.stableAfter().toMillis() + "ms",
        GroupMover.WALK_DISPATCHER + ".thread-pool-executor.fixed-pool-size", migration.maxParallelWalks()));
    // Pekko HTTP's own request timeout (20 s by default) would otherwise cut off a call that the API is
    // still allowed to wait for (rekko.admin.request-timeout), with a plain-text 503.
    pekko.put("pekko.http.server.request-timeout", admin.api().askTimeout().plusSeconds(5).toMillis() + "ms");
    pekko.putAll(cluster.tls().pekkoSettings());
    if (cluster.bootstrap() == ClusterSettings.Bootstrap.MANAGEMENT) {
      pekko.putAll(cluster.management().pekkoSettings());
    }
    if (cluster.formNewCluster() == ClusterSettings.FormNewCluster.ON
        && cluster.bootstrap() == ClusterSettings.Bootstrap.SEED_NODES) {
      // Pekko's first seed forms a cluster when every other seed answered that it is in none, or when
      // this timeout ends; "on" means only the former. Not with Cluster Bootstrap: it joins others with
      // this timeout as a timer, which Pekko refuses to schedule that far ahead (the join never starts).
      pekko.put("pekko.cluster.seed-node-timeout", "36500d");
    }
    Config derived = ConfigFactory.parseMap(pekko,
            "rekko.dispatcher.parallelism, rekko.cluster, rekko.admin and rekko.migration.max-parallel-walks")
        .withFallback(TopologySettings.durableStoreConfig(dir))
        .withFallback(SlotSharding.durableStoreConfig(dir))
        .withFallback(c);
    return new NodeConfig(proxy, clientTls, backend, admin, cluster, migration, topology, coordinator, durableWrites,
        datacenter, groups, redisBinary, dir, threads, observe, derived);
  }

  /**
   * Values starting with {@code [} or {@code {} are HOCON (lists, objects); any other value is taken
   * as a plain string, so that passwords may contain {@code #} or quotes.
   */
  private static Config overrides(Map<String, String> overrides) {
    Config c = ConfigFactory.empty();
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String origin = "-D " + e.getKey();
      String v = e.getValue().trim();
      ConfigValue value = v.startsWith("[") || v.startsWith("{")
          ? ConfigFactory.parseString("v = " + v, ConfigParseOptions.defaults().setOriginDescription(origin))
              .getValue("v")
          : ConfigValueFactory.fromAnyRef(e.getValue(), origin);
      c = c.withValue(e.getKey(), value);
    }
    return c;
  }

  private static Config parseFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new NodeConfigException(List.of("--config " + file + ": no such file"), null);
    }
    return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /**
   * Resolves {@code ${?VAR}} against {@code env} instead of the real environment (which makes it
   * testable), without leaving the variables in the result: they would otherwise show up wherever
   * the config is logged.
   */
  private static Config resolveWith(Config unresolved, Map<String, String> env) {
    Config resolved = unresolved
        .withFallback(ConfigValueFactory.fromMap(env, "environment variable").toConfig())
        .resolve(ConfigResolveOptions.noSystem());
    ConfigObject root = resolved.root();
    for (String name : env.keySet()) {
      if (!unresolved.root().containsKey(name)) {
        root = root.withoutKey(name);
      }
    }
    return root.toConfig();
  }
}
