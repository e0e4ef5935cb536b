package dev.rekko.protocol.command;

/** The command flags {@code COMMAND INFO} reports, by the name Redis gives them there. */
public enum CommandFlag {
  WRITE("write"),
  READONLY("readonly"),
  DENYOOM("denyoom"),
  MODULE("module"),
  ADMIN("admin"),
  PUBSUB("pubsub"),
  NOSCRIPT("noscript"),
  BLOCKING("blocking"),
  LOADING("loading"),
  STALE("stale"),
  SKIP_MONITOR("skip_monitor"),
  SKIP_SLOWLOG("skip_slowlog"),
  ASKING("asking"),
  FAST("fast"),
  NO_AUTH("no_auth"),
  MAY_REPLICATE("may_replicate"),
  NO_MANDATORY_KEYS("no_mandatory_keys"),
  NO_MULTI("no_multi"),
  MOVABLE_KEYS("movablekeys"),
  ALLOW_BUSY("allow_busy"),
  NO_ASYNC_LOADING("no_async_loading");

  private final String redisName;

  CommandFlag(String redisName) {
    this.redisName = redisName;
  }

  /** The lower-case name used by {@code COMMAND INFO} and by the table file. */
  public String redisName() {
    return redisName;
  }

  /** The flag {@code COMMAND INFO} calls {@code name}, or null when Redis has no such flag. */
  public static CommandFlag ofRedisName(String name) {
    for (CommandFlag f : values()) {
      if (f.redisName.equals(name)) {
        return f;
      }
    }
    return null;
  }

  int bit() {
    return 1 << ordinal();
  }
}
