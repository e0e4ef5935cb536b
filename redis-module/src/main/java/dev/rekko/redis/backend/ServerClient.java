package dev.rekko.redis.backend;

/**
 * How a server names one of our connections: the {@code id} and {@code addr} that {@code CLIENT INFO}
 * reported on it. {@code CLIENT KILL ID id ADDR addr} ends exactly that connection: the two filters
 * together never match a connection of a restarted server that reuses the id (ids start again at 1)
 * unless it also reuses our port, and an answer of 0 killed means it is gone already.
 *
 * @param id   the server's client id, or -1 when unknown
 * @param addr our address as the server sees it ({@code ip:port})
 * @param why  for an unknown one: why the server did not say (CLIENT INFO's error)
 */
record ServerClient(long id, String addr, String why) {

  static ServerClient unknown(String why) {
    return new ServerClient(-1, "", why);
  }

  /** From {@code CLIENT INFO}'s line: {@code id=7 addr=127.0.0.1:50042 laddr=... fd=8 ...}. */
  static ServerClient parse(String info) {
    long id = -1;
    String addr = "";
    for (String field : info.strip().split(" ")) {
      if (field.startsWith("id=")) {
        try {
          id = Long.parseLong(field.substring(3));
        } catch (NumberFormatException e) {
          return unknown("unreadable CLIENT INFO: " + info.strip());
        }
      } else if (field.startsWith("addr=")) {
        addr = field.substring(5);
      }
    }
    return id < 0 || addr.isEmpty() ? unknown("unreadable CLIENT INFO: " + info.strip()) : new ServerClient(id, addr, "");
  }

  boolean known() {
    return id >= 0;
  }

  String[] killCommand() {
    return new String[] {"CLIENT", "KILL", "ID", Long.toString(id), "ADDR", addr, "SKIPME", "yes"};
  }

  @Override
  public String toString() {
    return known() ? "client " + id + " (" + addr + ")" : "a client whose id is unknown (" + why + ")";
  }
}
