package dev.rekko.redis.migrate;

import java.util.ArrayList;
import java.util.List;

/** Reads the {@code # Keyspace} section of INFO. */
final class Keyspace {
  private Keyspace() {}

  /** The databases that hold keys, in increasing order: lines like {@code db3:keys=10,expires=0,avg_ttl=0}. */
  static List<Integer> databases(String info) {
    List<Integer> dbs = new ArrayList<>();
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("db") && line.indexOf(':') > 2) {
        try {
          dbs.add(Integer.parseInt(line.substring(2, line.indexOf(':'))));
        } catch (NumberFormatException ignored) {
          // Not a database line.
        }
      }
    }
    dbs.sort(null);
    return dbs;
  }
}
