package dev.rekko.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and checks {@code rekko.bootstrap.groups}: a list of {@code {id, servers}} objects or the one-line
 * form of environment variables, every server a usable {@code host:port} in one group only.
 */
final class BootstrapGroups {
  private BootstrapGroups() {}

  /** A list of {@code {id, servers}} objects, or the one-line form {@code "1=h:p,h:p;2=h:p"}. */
  static List<GroupSeed> read(ConfigReader r, String path) {
    Config config = r.config();
    if (!config.hasPath(path)) {
      return List.of();
    }
    ConfigValue value = config.getValue(path);
    List<GroupSeed> groups = new ArrayList<>();
    if (value.valueType() == ConfigValueType.LIST) {
      List<? extends ConfigValue> list = config.getList(path);
      for (int i = 0; i < list.size(); i++) {
        GroupSeed g = group(r, path + "[" + i + "]", list.get(i));
        if (g != null) {
          groups.add(g);
        }
      }
    } else if (value.valueType() == ConfigValueType.STRING) {
      groups.addAll(compactGroups(r, path, (String) value.unwrapped()));
    } else {
      r.problem(path, "expected a list of { id, servers } or \"1=host:port,...;2=...\", got "
          + value.valueType() + r.origin(path));
      return List.of();
    }
    checkGroups(r, path, groups);
    groups.sort(Comparator.comparingInt(GroupSeed::id));
    return groups;
  }

  private static GroupSeed group(ConfigReader r, String at, ConfigValue element) {
    if (!(element instanceof ConfigObject obj)) {
      r.problem(at, "expected { id = 1, servers = [\"host:port\", ...] }, got " + element.valueType());
      return null;
    }
    Config g = obj.toConfig();
    int id;
    List<String> servers;
    try {
      id = g.getInt("id");
    } catch (ConfigException e) {
      r.problem(at + ".id", g.hasPath("id") ? "expected a whole number" : "is missing");
      return null;
    }
    try {
      servers = g.getStringList("servers");
    } catch (ConfigException e) {
      r.problem(at + ".servers", g.hasPath("servers") ? "expected a list of \"host:port\"" : "is missing");
      return null;
    }
    return new GroupSeed(id, servers.stream().map(String::trim).toList());
  }

  private static List<GroupSeed> compactGroups(ConfigReader r, String path, String text) {
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
        r.problem(path, "\"" + part.trim() + "\" is not <id>=<host:port>,<host:port>...");
      }
    }
    return groups;
  }

  private static void checkGroups(ConfigReader r, String path, List<GroupSeed> groups) {
    Set<Integer> ids = new HashSet<>();
    Map<String, Integer> groupOf = new HashMap<>();
    for (GroupSeed g : groups) {
      if (g.id() < 1) {
        r.problem(path, "group id " + g.id() + " is invalid, ids start at 1");
      }
      if (!ids.add(g.id())) {
        r.problem(path, "group id " + g.id() + " appears more than once");
      }
      if (g.servers().isEmpty()) {
        r.problem(path, "group " + g.id() + " has no servers");
      }
      for (String server : g.servers()) {
        String bad = addressProblem(server);
        if (bad != null) {
          r.problem(path, "server \"" + server + "\" of group " + g.id() + " " + bad);
          continue;
        }
        Integer other = groupOf.putIfAbsent(server, g.id());
        if (other != null) {
          r.problem(path, "server " + server + (other == g.id()
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
}
