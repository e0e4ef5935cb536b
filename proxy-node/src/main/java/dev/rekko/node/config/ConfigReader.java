package dev.rekko.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

  /** The configuration being read, for readers of structured values ({@link BootstrapGroups}). */
  Config config() {
    return config;
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
    return (int) whole(path, min, max);
  }

  /** A whole number between {@code min} and {@code max}; {@code min} after a problem. */
  long whole(String path, long min, long max) {
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
    return v;
  }

  /**
   * A size in HOCON's units ({@code 64k} = 65536 bytes, {@code 8m}, or bytes), as the keys that always
   * took them; the client limits of {@code rekko.proxy} take Redis's units instead ({@link #bytes}).
   */
  long hoconBytes(String path, long min) {
    long v;
    try {
      v = config.getBytes(path);
    } catch (ConfigException e) {
      expected(path, "a size such as 64k, 8m or a number of bytes (k = 1024)", e);
      return min;
    }
    if (v < min) {
      problem(path, v + " bytes is out of range, must be at least " + min + origin(path));
      return min;
    }
    return v;
  }

  /** One of {@code allowed}'s constants, written in any case; {@code fallback} after a problem. */
  <E extends Enum<E>> E choice(String path, Class<E> allowed, E fallback) {
    String v = string(path).trim();
    for (E e : allowed.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) {
        return e;
      }
    }
    List<String> names = java.util.Arrays.stream(allowed.getEnumConstants())
        .map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList();
    String last = names.get(names.size() - 1);
    String all = names.size() == 1 ? last : String.join(", ", names.subList(0, names.size() - 1)) + " or " + last;
    problem(path, "must be " + all + ", got \"" + v + "\"" + origin(path));
    return fallback;
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

  /** {@code seed-nodes} or {@code management}. */
  ClusterSettings.Bootstrap bootstrap(String path) {
    String v = string(path).trim().toLowerCase(java.util.Locale.ROOT);
    return switch (v) {
      case "seed-nodes" -> ClusterSettings.Bootstrap.SEED_NODES;
      case "management" -> ClusterSettings.Bootstrap.MANAGEMENT;
      default -> {
        problem(path, "must be seed-nodes or management, got \"" + string(path) + "\"" + origin(path));
        yield ClusterSettings.Bootstrap.SEED_NODES;
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

  private static String range(long min, long max) {
    return max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? "at least " + min : min + ".." + max;
  }
}
