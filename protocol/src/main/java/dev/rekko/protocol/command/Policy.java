package dev.rekko.protocol.command;

/**
 * How Rekko handles a command. Decided per command (and subcommand) in the command table; the reasons are
 * in {@code protocol/COMMANDS.md}.
 */
public enum Policy {
  /** Sent to the group that owns the slot of its keys; every key must hash to one slot, else CROSSSLOT. */
  SINGLE_SLOT,
  /** Split per slot, sent in parallel and merged by the proxy (MGET, MSET, DEL, EXISTS, TOUCH, UNLINK). */
  SPLIT,
  /** Answered by the proxy itself, never sent to a backend. */
  PROXY,
  /** Sent to every group and the replies combined (DBSIZE, INFO, FLUSHDB, FLUSHALL, KEYS, RANDOMKEY, SCAN). */
  FANOUT,
  /**
   * A command that may block (BLPOP, BZPOPMIN, XREAD with BLOCK, WAIT …): on a backend connection of its
   * own, keys in one slot as for {@link #SINGLE_SLOT}; XREAD/XREADGROUP without BLOCK are served as
   * {@link #SINGLE_SLOT}.
   */
  BLOCKING,
  /** Answered with {@code ERR handle request, command '…' is not allowed}. */
  REFUSED
}
