package dev.rekko.node.admin;

import java.io.IOException;
import java.util.StringJoiner;

/** Canned answers in the shapes of the HTTP API v1. */
final class ApiFixtures {
  private ApiFixtures() {}

  /** A stub API that answers the read verbs' GETs with the answers below. */
  static StubApi readsStub() throws IOException {
    return new StubApi()
        .ok("GET", "/api/topology", topology())
        .ok("GET", "/api/groups", GROUPS)
        .ok("GET", "/api/groups/2", GROUP_2)
        .ok("GET", "/api/slots", slots())
        .ok("GET", "/api/slots/7", slot(7, "ONLINE", 1, 0, 1))
        .ok("GET", "/api/nodes", NODES)
        .ok("GET", "/api/stats", STATS)
        .ok("GET", "/api/migrations", MIGRATIONS);
  }

  static final String GROUP_1 = """
      {"id": 1, "replicaRead": false, "epoch": 3, "slots": 516, "switching": false, "lastFailover": null,
       "servers": [
        {"addr": "127.0.0.1:6379", "role": "MASTER", "datacenter": "dc1", "redisVersion": "7.0.15", "up": true,
         "health": {"status": "up", "source": "quorum", "downNodes": [], "role": "master", "masterAddr": "",
                    "offset": 5000, "lagBytes": null, "linkUp": null}},
        {"addr": "127.0.0.1:6380", "role": "REPLICA", "datacenter": "", "redisVersion": "7.0.15", "up": false,
         "health": {"status": "up", "source": "quorum", "downNodes": [], "role": "replica",
                    "masterAddr": "127.0.0.1:6379", "offset": 4200, "lagBytes": 800, "linkUp": false}}]}""";

  static final String GROUP_2 = """
      {"id": 2, "replicaRead": true, "epoch": 4, "slots": 504, "switching": true, "servers": [
        {"addr": "127.0.0.1:6381", "role": "MASTER", "datacenter": "", "redisVersion": "", "up": null}]}""";

  static final String GROUPS = "[" + GROUP_1 + ", " + GROUP_2 + "]";

  static final String NODES = """
      [{"address": "pekko://rekko@127.0.0.1:2551", "resp": "127.0.0.1:19000", "http": "127.0.0.1:11080",
        "state": "UP", "appliedEpoch": 12},
       {"address": "pekko://rekko@127.0.0.1:2552", "resp": "127.0.0.1:19001", "http": "127.0.0.1:11081",
        "state": "JOINING", "appliedEpoch": 11}]""";

  /** 0-511 online at 1; 512-515 migrating 1 -> 2 at epochs 9-12; 516-1019 online at 2; 1020-1023 offline. */
  static String slots() {
    StringJoiner all = new StringJoiner(",\n", "[", "]");
    for (int id = 0; id < 1024; id++) {
      all.add(id < 512 ? slot(id, "ONLINE", 1, 0, 1)
          : id < 516 ? slot(id, "MIGRATING", 1, 2, 9 + id - 512)
          : id < 1020 ? slot(id, "ONLINE", 2, 0, 2)
          : slot(id, "OFFLINE", 0, 0, 0));
    }
    return all.toString();
  }

  static String slot(int id, String state, int group, int target, long epoch) {
    return "{\"id\": %d, \"state\": \"%s\", \"group\": %d, \"target\": %d, \"epoch\": %d}"
        .formatted(id, state, group, target, epoch);
  }

  static String topology() {
    String groups = GROUPS.replaceAll("\"slots\": \\d+, ", "");
    return "{\"epoch\": 12, \"loaded\": true, \"bootstrapped\": true, \"groups\": " + groups
        + ", \"slots\": " + slots() + ", \"nodes\": " + NODES + "}";
  }

  static final String STATS = """
      {"online": true, "ops": {"total": 12345, "fails": 3, "qps": 250},
       "sessions": {"total": 20, "alive": 4},
       "commands": [
         {"name": "GET", "calls": 9000, "fails": 0, "usecs": 90000, "usecPerCall": 10, "p50Usec": 8,
          "p99Usec": 40, "p999Usec": 90, "maxUsec": 300},
         {"name": "SET", "calls": 3345, "fails": 3, "usecs": 40140, "usecPerCall": 12, "p50Usec": 9,
          "p99Usec": 51, "p999Usec": 99, "maxUsec": 410}],
       "backends": [
         {"server": "127.0.0.1:6379", "database": 0, "up": true, "inFlight": 2, "lastError": ""},
         {"server": "127.0.0.1:6381", "database": 0, "up": false, "inFlight": 0,
          "lastError": "connection refused"}],
       "runtime": {"heapUsed": 1000, "heapMax": 2000, "threads": 40, "uptimeSec": 3600,
                   "gc": [{"name": "G1 Young", "count": 3, "timeMs": 20}]}}""";

  /** 600/424 evened out to 512/512 by moving 512-599 from group 1 to group 2. */
  static String rebalance() {
    StringJoiner moves = new StringJoiner(", ", "[", "]");
    for (int slot = 512; slot < 600; slot++) {
      moves.add("{\"slot\": " + slot + ", \"from\": 1, \"to\": 2}");
    }
    return "{\"moves\": " + moves + ", \"before\": {\"1\": 600, \"2\": 424}, \"after\": {\"1\": 512, \"2\": 512}}";
  }

  static final String MIGRATIONS = """
      {"active": 2, "pending": 1, "done": 5, "keysMoved": 1200, "keysPerSecond": 300,
       "slots": [
         {"id": 512, "state": "MIGRATING", "group": 1, "target": 2, "epoch": 9},
         {"id": 513, "state": "MIGRATING", "group": 1, "target": 2, "epoch": 10},
         {"id": 514, "state": "PENDING", "group": 1, "target": 2, "epoch": 11}]}""";
}
