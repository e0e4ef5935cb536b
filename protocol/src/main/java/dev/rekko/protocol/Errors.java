package dev.rekko.protocol;

import java.util.Locale;

/**
 * The error replies Rekko sends, without the leading '-' (the encoder adds it). Where Redis has its own
 * text for a situation, this is Redis 7's text, byte for byte, so that client code written against Redis
 * keeps matching; where the situation exists only in a proxy, this is Codis's text, which Codis users'
 * code already matches. Texts built from client arguments map each byte to one char (ISO-8859-1, as
 * {@link Args#string} does), so the encoder must write them back as ISO-8859-1.
 */
public final class Errors {
  // --- Redis's texts (verified against redis-server 7.0.15 by CommandTableVsRedisTest) ---

  public static final String SYNTAX = "ERR syntax error";
  public static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
  public static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
  /** Redis 7's text; Codis says {@code NOAUTH Authentication required} without the full stop. */
  public static final String NOAUTH = "NOAUTH Authentication required.";
  /** Redis 7's reply to a wrong AUTH; Codis says {@code ERR invalid password}. */
  public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
  /** AUTH when no password is configured. */
  public static final String AUTH_NOT_CONFIGURED = "ERR AUTH <password> called without any password "
      + "configured for the default user. Are you sure your configuration is correct?";
  public static final String NOPROTO = "NOPROTO unsupported protocol version";
  public static final String MAX_CLIENTS = "ERR max number of clients reached";
  public static final String NUMKEYS_NEGATIVE = "ERR Number of keys can't be negative";
  public static final String NUMKEYS_GREATER_THAN_ARGS =
      "ERR Number of keys can't be greater than number of args";
  /** FCALL/FCALL_RO when numkeys is not an integer. */
  public static final String FCALL_BAD_NUMKEYS = "ERR Bad number of keys provided";
  /** SINTERCARD and the *MPOP commands when numkeys is not a positive integer. */
  public static final String NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
  /** Redis says XREAD here for XREADGROUP too. */
  public static final String XREAD_UNBALANCED = "ERR Unbalanced XREAD list of streams: for each stream "
      + "key an ID or '$' must be specified.";

  /**
   * Redis 7.0's protected-mode refusal, naming Rekko and its settings where Redis names its own (Rekko
   * has no CONFIG SET): sent to a client from another machine when the listener is not on loopback and
   * no password is set, before the connection is closed.
   */
  public static final String PROTECTED_MODE = "DENIED Rekko is running in protected mode because protected "
      + "mode is enabled and no password is set for the default user. In this mode connections are only "
      + "accepted from the loopback interface. If you want to connect from external computers to Rekko you "
      + "may adopt one of the following solutions: 1) Just disable protected mode by setting "
      + "'rekko.proxy.protected-mode = off' in the node's configuration file and restarting the node, however "
      + "MAKE SURE Rekko is not publicly accessible from internet if you do so. 2) If you started the node "
      + "manually just for testing, restart it with the '-D rekko.proxy.protected-mode=off' option (or the "
      + "environment variable REKKO_PROXY_PROTECTED_MODE=off). 3) Set up an authentication password with "
      + "'rekko.proxy.password' (REKKO_PROXY_PASSWORD). NOTE: You only need to do one of the above things in "
      + "order for the node to start accepting connections from the outside.";

  // --- Codis's texts, for situations only a proxy has ---

  public static final String ROUTER_NOT_ONLINE = "ERR router is not online";
  public static final String SLOT_NOT_READY = "ERR handle request, slot is not ready, may be offline";

  /** How much of the name and the arguments Redis quotes in its unknown-command errors. */
  private static final int QUOTE_LIMIT = 128;

  private Errors() {}

  /** {@code ERR wrong number of arguments for 'get' command}; {@code name} as Redis prints it. */
  public static String wrongArity(String name) {
    return "ERR wrong number of arguments for '" + name + "' command";
  }

  /** ZUNIONSTORE and its relatives when numkeys is below 1; {@code name} in lower case. */
  public static String atLeastOneInputKey(String name) {
    return "ERR at least 1 input key is needed for '" + name + "' command";
  }

  /**
   * Redis 7.0's unknown-command error: the name and the first arguments, each cut at 128 bytes (and at a
   * NUL byte, as C's {@code %.128s} does), arguments quoted until 128 bytes of them are shown.
   */
  public static String unknownCommand(Args args) {
    StringBuilder quoted = new StringBuilder();
    for (int i = 1; i < args.argc() && quoted.length() < QUOTE_LIMIT; i++) {
      int room = QUOTE_LIMIT - quoted.length();
      quoted.append('\'');
      appendC(quoted, args, i, room);
      quoted.append("' ");
    }
    StringBuilder s = new StringBuilder("ERR unknown command '");
    appendC(s, args, 0, QUOTE_LIMIT);
    s.append("', with args beginning with: ").append(quoted);
    return oneLine(s);
  }

  /** Redis 7.0's error for an unknown subcommand of a container command such as CLIENT or CONFIG. */
  public static String unknownSubcommand(Args args) {
    StringBuilder s = new StringBuilder("ERR unknown subcommand '");
    appendC(s, args, 1, QUOTE_LIMIT);
    s.append("'. Try ").append(upper(args.string(0))).append(" HELP.");
    return oneLine(s);
  }

  /** Codis's refusal, with the command's name in upper case: {@code command 'KEYS' is not allowed}. */
  public static String notAllowed(String name) {
    return "ERR handle request, command '" + upper(name) + "' is not allowed";
  }

  /** A refusal of one form of an otherwise supported command: {@code command 'XREAD' with BLOCK …}. */
  public static String notAllowedWith(String name, String what) {
    return "ERR handle request, command '" + upper(name) + "' with " + what + " is not allowed";
  }

  /** Codis's reply to SELECT outside the databases the proxy serves. */
  public static String invalidDbIndex(int databases) {
    return "ERR invalid DB index, only accept DB [0," + databases + ")";
  }

  /** Argument {@code i} as C's {@code %.Ns} prints it: at most {@code max} bytes, stopping at NUL. */
  private static void appendC(StringBuilder s, Args args, int i, int max) {
    byte[] a = args.array(i);
    int off = args.offset(i);
    int n = Math.min(args.length(i), max);
    for (int k = 0; k < n && a[off + k] != 0; k++) {
      s.append((char) (a[off + k] & 0xFF));
    }
  }

  /** Redis replaces CR and LF in error texts with spaces so the reply stays one line. */
  private static String oneLine(StringBuilder s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n') {
        s.setCharAt(i, ' ');
      }
    }
    return s.toString();
  }

  private static String upper(String name) {
    return name.toUpperCase(Locale.ROOT);
  }
}
