package dev.rekko.protocol.command;

import dev.rekko.protocol.Args;
import dev.rekko.protocol.Errors;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One command or subcommand of the table: Redis's facts about it (as {@code COMMAND INFO} reports them)
 * and Rekko's {@link Policy}. Instances are immutable once the table is loaded and safe to share.
 */
public final class CommandSpec {
  /** The {@code since} of commands Redis does not have (Codis's SLOTSHASHKEY). */
  public static final String PROXY_ONLY = "proxy";

  private final String name;
  private final int arity;
  private final Set<CommandFlag> flags;
  private final int flagBits;
  private final int firstKey;
  private final int lastKey;
  private final int step;
  private final List<KeySpec> keySpecs;
  private final String since;
  private final Policy policy;
  private final KeyFinder keyFinder;
  private final NumKeysRule numKeysRule;
  private final InvocationChecks.Check check;
  private final String wrongArity;
  private final String notAllowed;
  private final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();
  private NameIndex subcommandIndex;
  private CommandSpec container;

  /**
   * @param name lower case as {@code COMMAND INFO} prints it, {@code container|sub} for subcommands
   * @param since the Redis version that added the command, or {@value #PROXY_ONLY} for commands only a
   *     proxy knows
   */
  CommandSpec(String name, int arity, Set<CommandFlag> flags, int firstKey, int lastKey, int step,
      List<KeySpec> keySpecs, String since, Policy policy) {
    this.name = name;
    this.arity = arity;
    this.flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
    this.flagBits = flags.stream().mapToInt(CommandFlag::bit).reduce(0, (a, b) -> a | b);
    this.firstKey = firstKey;
    this.lastKey = lastKey;
    this.step = step;
    this.keySpecs = List.copyOf(keySpecs);
    this.since = since;
    this.policy = policy;
    this.numKeysRule = NumKeysRule.forCommand(name);
    KeyFinder custom = CustomKeyFinders.forCommand(name);
    this.keyFinder = custom != null ? custom
        : keySpecs.isEmpty() ? KeyFinder.NONE : new SpecKeyFinder(keySpecs, numKeysRule);
    this.check = InvocationChecks.forCommand(name);
    this.wrongArity = Errors.wrongArity(name);
    this.notAllowed = Errors.notAllowed(displayName());
  }

  /** Lower case, {@code container|sub} for a subcommand, as Redis names it in COMMAND INFO and errors. */
  public String name() {
    return name;
  }

  /** Upper case with a space for subcommands ({@code CLIENT SETNAME}), as users write it. */
  public String displayName() {
    return name.replace('|', ' ').toUpperCase(Locale.ROOT);
  }

  /** Redis's arity: the exact argument count including the name, or at least -arity when negative. */
  public int arity() {
    return arity;
  }

  public boolean arityOk(int argc) {
    return arity >= 0 ? argc == arity : argc >= -arity;
  }

  /** {@code ERR wrong number of arguments for 'name' command}. */
  public String wrongArity() {
    return wrongArity;
  }

  public Set<CommandFlag> flags() {
    return flags;
  }

  public boolean has(CommandFlag flag) {
    return (flagBits & flag.bit()) != 0;
  }

  /**
   * Whether the command can change data: flagged {@code write}, or {@code may_replicate} (scripts and
   * functions, which carry no write flag but may write). Durable writes wait for a replica after these.
   */
  public boolean mayWrite() {
    return (flagBits & (CommandFlag.WRITE.bit() | CommandFlag.MAY_REPLICATE.bit())) != 0;
  }

  /** The legacy first-key index of COMMAND INFO (0 when keyless). */
  public int firstKey() {
    return firstKey;
  }

  /** The legacy last-key index of COMMAND INFO (negative counts from the end). */
  public int lastKey() {
    return lastKey;
  }

  /** The legacy key step of COMMAND INFO. */
  public int step() {
    return step;
  }

  public List<KeySpec> keySpecs() {
    return keySpecs;
  }

  /** The Redis version that added the command (COMMAND DOCS {@code since}), or {@link #PROXY_ONLY}. */
  public String since() {
    return since;
  }

  /** Whether Redis itself has this command (false for proxy-only commands such as SLOTSHASHKEY). */
  public boolean isRedisCommand() {
    return !PROXY_ONLY.equals(since);
  }

  public Policy policy() {
    return policy;
  }

  /** Whether this is a container such as CLIENT or CONFIG whose real commands are its subcommands. */
  public boolean isContainer() {
    return !subcommands.isEmpty();
  }

  /** The container of a subcommand, or null. */
  public CommandSpec container() {
    return container;
  }

  public Collection<CommandSpec> subcommands() {
    return Collections.unmodifiableCollection(subcommands.values());
  }

  /** The subcommand called {@code sub} (any case), or null. */
  public CommandSpec subcommand(String sub) {
    return subcommands.get(sub.toLowerCase(Locale.ROOT));
  }

  /**
   * Writes the argument indexes of this invocation's keys into {@code out} in Redis's order and returns how
   * many there are, or a negative {@link KeyError#code()} when they cannot be determined (the command is
   * then certain to fail; answer with {@link #keyError}). At most {@code out.length} indexes are written;
   * an array of {@code args.argc()} always suffices. Allocates nothing. Arguments Redis marks as not keys
   * (shard channels) and keys named inside BY/GET patterns or scripts are not reported.
   */
  public int keyIndexes(Args args, int[] out) {
    return keyFinder.find(args, out);
  }

  /** The error Redis sends for this command when {@link #keyIndexes} returned {@code code}. */
  public String keyError(int code) {
    KeyError error = KeyError.ofCode(code);
    if (error == KeyError.UNBALANCED_STREAMS) {
      return Errors.XREAD_UNBALANCED;
    }
    return numKeysRule == null ? Errors.SYNTAX : numKeysRule.text(error);
  }

  /**
   * Null when Rekko serves this invocation, else the error to answer with: the command's policy is
   * {@link Policy#REFUSED}, or this form of it is (SORT with a BY/GET pattern, COPY with DB). The arity must have been checked first.
   */
  public String refusal(Args args) {
    return policy == Policy.REFUSED ? notAllowed : check.refusal(args);
  }

  void addSubcommand(CommandSpec sub) {
    String subName = sub.name.substring(name.length() + 1);
    if (subcommands.put(subName, sub) != null) {
      throw new IllegalStateException("duplicate subcommand " + sub.name);
    }
    sub.container = this;
  }

  void indexSubcommands() {
    if (!subcommands.isEmpty()) {
      subcommandIndex = new NameIndex(subcommands);
    }
  }

  CommandSpec subcommand(Args args) {
    return subcommandIndex.get(args.array(1), args.offset(1), args.length(1));
  }

  @Override
  public String toString() {
    return name;
  }
}
