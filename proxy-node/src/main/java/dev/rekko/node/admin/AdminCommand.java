package dev.rekko.node.admin;

import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code admin}: the operator's command line over one node's HTTP API v1, with verbs named after
 * codis-admin's. Any node will do: every node serves the whole API.
 */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    header = "Administers a Rekko cluster through a node's HTTP API (rekko-admin).",
    description = {
        "Talks to the HTTP API of any node (default 127.0.0.1:11080), over HTTPS with --cacert. Prints "
            + "tables by default, the node's JSON with --json.",
        "Exit codes: 0 done, 1 the node refused or failed the request (error: MESSAGE (HTTP STATUS)), "
            + "2 usage error or the node could not be reached."},
    subcommands = {
        TopologyVerb.class, GroupsVerb.class, ServerVerb.class, SlotsVerb.class, RebalanceVerb.class,
        MigrationsVerb.class, NodesVerb.class, StatsVerb.class},
    footer = {"", "Environment: REKKO_ADMIN_ADDR (default for --addr), REKKO_ADMIN_TOKEN (default for --token), "
        + "REKKO_ADMIN_CACERT, REKKO_ADMIN_CERT and REKKO_ADMIN_KEY (defaults for --cacert, --cert and --key)."})
public final class AdminCommand implements Runnable {
  static final int DEFAULT_PORT = 11080;
  static final String DEFAULT_ADDR = "127.0.0.1:" + DEFAULT_PORT;

  @Spec
  CommandSpec spec;

  // INHERIT: `rekko-admin groups --json` works as well as `rekko-admin --json groups`.
  @Option(names = "--addr", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
      description = "A node's HTTP address or URL (default: $REKKO_ADMIN_ADDR, else " + DEFAULT_ADDR + ").")
  String addr;

  @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
      description = "Admin token for mutating calls, sent as a Bearer token (default: $REKKO_ADMIN_TOKEN).")
  String token;

  @Option(names = "--cacert", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "PEM file of the CA that signed the node's HTTPS certificate (rekko.admin.tls); "
          + "a HOST:PORT address then means https:// (default: $REKKO_ADMIN_CACERT).")
  String cacert;

  @Option(names = "--cert", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "PEM file of this client's certificate, for a node with rekko.admin.tls.client-auth "
          + "(default: $REKKO_ADMIN_CERT). Needs --key.")
  String cert;

  @Option(names = "--key", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "PEM file of the private key of --cert (default: $REKKO_ADMIN_KEY).")
  String key;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "Print the node's JSON answer, pretty-printed, instead of a table.")
  boolean json;

  private final Map<String, String> env;

  public AdminCommand() {
    this(System.getenv());
  }

  /** {@code env} stands in for the process environment (tests). */
  public AdminCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "Missing verb: topology, groups, server, slots, rebalance, migrations, nodes or stats");
  }

  boolean json() {
    return json;
  }

  /** A client for the chosen node; a malformed address or an unreadable PEM file is a usage error. */
  AdminClient client() {
    URI base = baseUri();
    Optional<SSLContext> tls = tls();
    if (tls.isPresent() && !"https".equalsIgnoreCase(base.getScheme())) {
      throw new ParameterException(spec.commandLine(),
          "--cacert, --cert and --key are for an https:// address, not " + base);
    }
    return new AdminClient(base, tokenValue(), tls);
  }

  /** The client's TLS context when any of --cacert, --cert, --key (or their variables) is given. */
  Optional<SSLContext> tls() {
    Optional<Path> ca = file(cacert, "REKKO_ADMIN_CACERT");
    Optional<Path> certFile = file(cert, "REKKO_ADMIN_CERT");
    Optional<Path> keyFile = file(key, "REKKO_ADMIN_KEY");
    if (ca.isEmpty() && certFile.isEmpty() && keyFile.isEmpty()) {
      return Optional.empty();
    }
    if (certFile.isPresent() != keyFile.isPresent()) {
      throw new ParameterException(spec.commandLine(), "--cert and --key go together: give both or neither");
    }
    try {
      return Optional.of(TlsContexts.client(ca, certFile, keyFile));
    } catch (IOException | GeneralSecurityException e) {
      throw new ParameterException(spec.commandLine(), "Cannot use the TLS files: " + e.getMessage());
    }
  }

  private Optional<Path> file(String option, String variable) {
    String value = option != null ? option : env.getOrDefault(variable, "");
    return value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.strip()));
  }

  URI baseUri() {
    String given = addr != null ? addr : env.getOrDefault("REKKO_ADMIN_ADDR", "");
    String value = given.isBlank() ? DEFAULT_ADDR : given.strip();
    // With a CA or a client certificate the node is meant to speak HTTPS.
    String scheme = file(cacert, "REKKO_ADMIN_CACERT").isPresent() || file(cert, "REKKO_ADMIN_CERT").isPresent()
        ? "https" : "http";
    String url = value.contains("://") ? value : scheme + "://" + value;
    URI uri;
    try {
      uri = URI.create(url.endsWith("/") ? url : url + "/");
    } catch (IllegalArgumentException e) {
      throw badAddr(value);
    }
    boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
    if (!http || uri.getHost() == null || uri.getPort() == 0 || uri.getPort() > 65535) {
      throw badAddr(value);
    }
    if (!value.contains("://") && uri.getPort() == -1) {
      // a bare host name means the node's default HTTP port, not port 80
      return URI.create(scheme + "://" + uri.getRawAuthority() + ":" + DEFAULT_PORT + uri.getRawPath());
    }
    return uri;
  }

  private ParameterException badAddr(String value) {
    return new ParameterException(spec.commandLine(),
        "Invalid --addr '" + value + "': expected HOST:PORT or http(s)://HOST:PORT");
  }

  private Optional<String> tokenValue() {
    String value = token != null ? token : env.getOrDefault("REKKO_ADMIN_TOKEN", "");
    return value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }
}
