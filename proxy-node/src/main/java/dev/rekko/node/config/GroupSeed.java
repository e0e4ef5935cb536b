package dev.rekko.node.config;

import java.util.List;

/** One group of {@code rekko.bootstrap.groups}: its id and its servers, master first ("host:port"). */
public record GroupSeed(int id, List<String> servers) {
  public String master() {
    return servers.get(0);
  }
}
