package dev.rekko.protocol.command;

import dev.rekko.protocol.Args;
import dev.rekko.protocol.Errors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every command Rekko knows: all of Redis 7.0, the Redis 7.2 additions clients send, and the proxy-only
 * commands, with Rekko's policy for each. Loaded once from {@code commands.txt} (format in
 * {@link CommandFile}; regenerated from a real server by {@code CommandTableGenerator} in the tests).
 *
 * <p>The session's order of checks mirrors Redis's: {@link #lookup}, then {@link #rejection} (unknown
 * command, unknown subcommand, arity, refusal), then {@link CommandSpec#keyIndexes} for routing.
 */
public final class CommandTable {
  private static final String RESOURCE = "commands.txt";
  private static final Map<String, CommandSpec> COMMANDS = load();
  private static final NameIndex INDEX = new NameIndex(COMMANDS);

  private CommandTable() {}

  /**
   * The command (or, for a container such as CLIENT, the subcommand named by argument 1) that
   * {@code args} invokes, matching names in any ASCII case; null for an unknown command. For a container
   * with a missing or unknown subcommand this is the container itself, which {@link #rejection} then
   * turns into Redis's arity or unknown-subcommand error. Allocates nothing.
   */
  public static CommandSpec lookup(Args args) {
    if (args.argc() == 0) {
      return null;
    }
    CommandSpec spec = INDEX.get(args.array(0), args.offset(0), args.length(0));
    if (spec == null || args.argc() < 2 || !spec.isContainer()) {
      return spec;
    }
    CommandSpec sub = spec.subcommand(args);
    return sub != null ? sub : spec;
  }

  /** The command called {@code name}: {@code get}, {@code client|setname} or {@code CLIENT SETNAME}. */
  public static CommandSpec lookup(String name) {
    String[] parts = name.toLowerCase(Locale.ROOT).split("[| ]", 2);
    CommandSpec spec = COMMANDS.get(parts[0]);
    return spec == null || parts.length == 1 ? spec : spec.subcommand(parts[1]);
  }

  /** The top-level commands (containers included, their subcommands reachable from them). */
  public static Collection<CommandSpec> commands() {
    return Collections.unmodifiableCollection(COMMANDS.values());
  }

  /** Every command and subcommand, containers first followed by their subcommands. */
  public static List<CommandSpec> all() {
    List<CommandSpec> all = new ArrayList<>();
    for (CommandSpec spec : COMMANDS.values()) {
      all.add(spec);
      all.addAll(spec.subcommands());
    }
    return all;
  }

  /**
   * Null when the proxy may go on to route {@code args}, else the error to answer with, checked in the
   * order Redis checks: unknown command, unknown subcommand, arity, then Rekko's refusals.
   *
   * @param spec what {@link #lookup(Args)} returned for {@code args}
   */
  public static String rejection(Args args, CommandSpec spec) {
    if (spec == null) {
      return Errors.unknownCommand(args);
    }
    if (spec.isContainer() && args.argc() >= 2) {
      return Errors.unknownSubcommand(args);
    }
    if (!spec.arityOk(args.argc())) {
      return spec.wrongArity();
    }
    return spec.refusal(args);
  }

  private static Map<String, CommandSpec> load() {
    InputStream in = CommandTable.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException("missing resource " + RESOURCE);
    }
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return parse(r.lines().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Builds the top-level map from table lines; subcommand lines may come in any order. */
  static Map<String, CommandSpec> parse(List<String> lines) {
    Map<String, CommandSpec> top = new LinkedHashMap<>();
    List<CommandSpec> subs = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      CommandSpec spec = CommandFile.parse(line);
      if (spec.name().indexOf('|') >= 0) {
        subs.add(spec);
      } else if (top.put(spec.name(), spec) != null) {
        throw new IllegalStateException("duplicate command " + spec.name());
      }
    }
    for (CommandSpec sub : subs) {
      CommandSpec container = top.get(sub.name().substring(0, sub.name().indexOf('|')));
      if (container == null) {
        throw new IllegalStateException("subcommand without container: " + sub.name());
      }
      container.addSubcommand(sub);
    }
    top.values().forEach(CommandSpec::indexSubcommands);
    return top;
  }
}
