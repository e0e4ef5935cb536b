package dev.rekko.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads typed values and collects every problem instead of stopping at the first, so that one
 * failed start shows all of them. Each problem starts with the key, then says what is wrong.
 */
final class ConfigReader {
  private final Config config;
  private final List<String> problems = new ArrayList<>();

  ConfigReader(Config config) {
    this.config = config;
  }

  void problem(String path, String message) {
    problems.add(path + ": " + message);
  }

  void throwIfProblems() {
    if (!problems.isEmpty()) {
      throw new NodeConfigException(problems, null);
    }
  }

  String string(String path) {
    try {
      return config.getString(path);
    } catch (ConfigException e) {
      expected(path, "a string", e);
      return "";
    }
  }

  String host(String path) {
    String host = string(path);
    if (host.isBlank() && config.hasPath(path)) {
      problem(path, "must not be empty");
    }
    return host.trim();
  }

  int port(String path) {
    return integer(path, 0, 65535);
  }

  int integer(String path, int min, int max) {
    long v;
    try {
      v = config.getLong(path);
    } catch (ConfigException e) {
      expected(path, "a whole number", e);
      return min;
    }
    if (v < min || v > max) {
      problem(path, v + " is out of range, must be " + range(min, max) + origin(path));
      return min;
    }
    return (int) v;
  }

  Duration duration(String path, boolean zeroAllowed) {
    Duration d;
    try {
      d = config.getDuration(path);
    } catch (ConfigException e) {
      expected(path, "a duration such as 500ms, 5s or 30m", e);
      return Duration.ofSeconds(1);
    }
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      problem(path, "must be " + (zeroAllowed ? "zero or positive" : "positive") + ", got " + d + origin(path));
      return Duration.ofSeconds(1);
    }
    return d;
  }

  /** A memory size as in redis.conf ({@code 512mb}, {@code 1gb}, bytes), see {@link ByteSize}. */
  long bytes(String path, long min, long max) {
    String text = string(path);
    long v = ByteSize.parse(text);
    if (v < 0) {
      problem(path, "expected " + ByteSize.UNITS + ", got \"" + text + "\"" + origin(path));
      return min;
    }
    if (v < min || v > max) {
      problem(path, text.trim() + " is out of range, must be " + (max == Long.MAX_VALUE ? "at least " + min
          : min + ".." + max) + " bytes" + origin(path));
      return min;
    }
    return v;
  }

  boolean bool(String path) {
    try {
      return config.getBoolean(path);
    } catch (ConfigException e) {
      expected(path, "on/off (true/false)", e);
      return false;
    }
  }

  ClusterSettings.OnDowned onDowned(String path) {
    String v = string(path).trim().toUpperCase(java.util.Locale.ROOT);
    try {
      return ClusterSettings.OnDowned.valueOf(v);
    } catch (IllegalArgumentException e) {
      problem(path, "must be exit or restart, got \"" + string(path) + "\"" + origin(path));
      return ClusterSettings.OnDowned.EXIT;
    }
  }

  /** {@code off} (also false, no), {@code on} (also true, yes) or {@code force}. */
  ClusterSettings.FormNewCluster formNewCluster(String path) {
    String v = string(path).trim().toLowerCase(java.util.Locale.ROOT);
    return switch (v) {
      case "off", "false", "no" -> ClusterSettings.FormNewCluster.OFF;
      case "on", "true", "yes" -> ClusterSettings.FormNewCluster.ON;
      case "force" -> ClusterSettings.FormNewCluster.FORCE;
      default -> {
        problem(path, "must be off, on or force, got \"" + string(path) + "\"" + origin(path));
        yield ClusterSettings.FormNewCluster.OFF;
      }
    };
  }

  /** A list of {@code "host:port"} strings, or one string of them separated by commas (environment). */
  List<String> addresses(String path) {
    List<String> raw = new ArrayList<>();
    try {
      ConfigValue value = config.getValue(path);
      if (value.valueType() == ConfigValueType.STRING) {
        for (String part : ((String) value.unwrapped()).split(",")) {
          if (!part.isBlank()) {
            raw.add(part.trim());
          }
        }
      } else {
        config.getStringList(path).forEach(a -> raw.add(a.trim()));
      }
    } catch (ConfigException e) {
      expected(path, "a list of \"host:port\" strings", e);
      return List.of();
    }
    for (String a : raw) {
      int colon = a.lastIndexOf(':');
      boolean ok = colon > 0 && colon < a.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(a.substring(colon + 1));
          ok = port > 0 && port <= 65535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        problem(path, "\"" + a + "\" is not host:port" + origin(path));
      }
    }
    return List.copyOf(raw);
  }

  /** A list of {@code {id, servers}} objects, or the one-line form {@code "1=h:p,h:p;2=h:p"}. */
  List<GroupSeed> groups(String path) {
    if (!config.hasPath(path)) {
      return List.of();
    }
    ConfigValue value = config.getValue(path);
    List<GroupSeed> groups = new ArrayList<>();
    if (value.valueType() == ConfigValueType.LIST) {
      List<? extends ConfigValue> list = config.getList(path);
      for (int i = 0; i < list.size(); i++) {
        GroupSeed g = group(path + "[" + i + "]", list.get(i));
        if (g != null) {
          groups.add(g);
        }
      }
    } else if (value.valueType() == ConfigValueType.STRING) {
      groups.addAll(compactGroups(path, (String) value.unwrapped()));
    } else {
      problem(path, "expected a list of { id, servers } or \"1=host:port,...;2=...\", got "
          + value.valueType() + origin(path));
      return List.of();
    }
    checkGroups(path, groups);
    groups.sort(Comparator.comparingInt(GroupSeed::id));
    return groups;
  }

  private GroupSeed group(String at, ConfigValue element) {
    if (!(element instanceof ConfigObject obj)) {
      problem(at, "expected { id = 1, servers = [\"host:port\", ...] }, got " + element.valueType());
      return null;
    }
    Config g = obj.toConfig();
    int id;
    List<String> servers;
    try {
      id = g.getInt("id");
    } catch (ConfigException e) {
      problem(at + ".id", g.hasPath("id") ? "expected a whole number" : "is missing");
      return null;
    }
    try {
      servers = g.getStringList("servers");
    } catch (ConfigException e) {
      problem(at + ".servers", g.hasPath("servers") ? "expected a list of \"host:port\"" : "is missing");
      return null;
    }
    return new GroupSeed(id, servers.stream().map(String::trim).toList());
  }

  private List<GroupSeed> compactGroups(String path, String text) {
    List<GroupSeed> groups = new ArrayList<>();
    for (String part : text.split(";")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      try {
        int id = Integer.parseInt(part.substring(0, Math.max(eq, 0)).trim());
        List<String> servers = List.of(part.substring(eq + 1).split(",")).stream()
            .map(String::trim).filter(s -> !s.isEmpty()).toList();
        groups.add(new GroupSeed(id, servers));
      } catch (NumberFormatException e) {
        problem(path, "\"" + part.trim() + "\" is not <id>=<host:port>,<host:port>...");
      }
    }
    return groups;
  }

  private void checkGroups(String path, List<GroupSeed> groups) {
    Set<Integer> ids = new HashSet<>();
    Map<String, Integer> groupOf = new HashMap<>();
    for (GroupSeed g : groups) {
      if (g.id() < 1) {
        problem(path, "group id " + g.id() + " is invalid, ids start at 1");
      }
      if (!ids.add(g.id())) {
        problem(path, "group id " + g.id() + " appears more than once");
      }
      if (g.servers().isEmpty()) {
        problem(path, "group " + g.id() + " has no servers");
      }
      for (String server : g.servers()) {
        String bad = addressProblem(server);
        if (bad != null) {
          problem(path, "server \"" + server + "\" of group " + g.id() + " " + bad);
          continue;
        }
        Integer other = groupOf.putIfAbsent(server, g.id());
        if (other != null) {
          problem(path, "server " + server + (other == g.id()
              ? " is listed twice in group " + g.id()
              : " is in group " + other + " and in group " + g.id()));
        }
      }
    }
  }

  /** Null when {@code address} is a usable "host:port", otherwise why not. */
  static String addressProblem(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      return "is not host:port";
    }
    String host = address.substring(0, colon);
    boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
    if (host.isBlank() || (host.contains(":") && !bracketed) || host.contains(" ")) {
      return "is not host:port (write IPv6 hosts as [::1]:6379)";
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      return port >= 1 && port <= 65535 ? null : "has port " + port + ", must be 1..65535";
    } catch (NumberFormatException e) {
      return "is not host:port (the port is not a number)";
    }
  }

  private void expected(String path, String what, ConfigException e) {
    if (e instanceof ConfigException.Null) {
      problem(path, "expected " + what + ", got null" + origin(path));
    } else if (e instanceof ConfigException.Missing) {
      problem(path, "is missing");
    } else {
      ConfigValue v = config.getValue(path);
      problem(path, "expected " + what + ", got " + v.render(ConfigRenderOptions.concise()) + origin(path));
    }
  }

  String origin(String path) {
    try {
      String from = config.getValue(path).origin().description();
      return from == null || from.isBlank() ? "" : " (from " + from + ")";
    } catch (ConfigException e) {
      return "";
    }
  }

  private static String range(int min, int max) {
    return max == Integer.MAX_VALUE ? "at least " + min : min + ".." + max;
  }
}
