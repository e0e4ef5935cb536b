package dev.rekko.protocol.command;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One Redis 7 key specification, as {@code COMMAND INFO} reports it: where to start looking
 * ({@link BeginSearch}), how to find the keys from there ({@link FindKeys}), and how the keys are used.
 */
public record KeySpec(Set<Flag> flags, BeginSearch begin, FindKeys find) {

  public KeySpec {
    flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
  }

  public boolean has(Flag flag) {
    return flags.contains(flag);
  }

  /** Key spec flags, by the name {@code COMMAND INFO} uses. */
  public enum Flag {
    RO("RO"),
    RW("RW"),
    OW("OW"),
    RM("RM"),
    ACCESS("access"),
    UPDATE("update"),
    INSERT("insert"),
    DELETE("delete"),
    NOT_KEY("not_key"),
    INCOMPLETE("incomplete"),
    VARIABLE_FLAGS("variable_flags");

    private final String redisName;

    Flag(String redisName) {
      this.redisName = redisName;
    }

    public String redisName() {
      return redisName;
    }

    public static Flag ofRedisName(String name) {
      for (Flag f : values()) {
        if (f.redisName.equals(name)) {
          return f;
        }
      }
      return null;
    }
  }

  /** Where the search for keys begins. */
  public sealed interface BeginSearch permits Index, Keyword, UnknownBegin {}

  /** The keys start at a fixed argument index. */
  public record Index(int pos) implements BeginSearch {}

  /**
   * The keys start after {@code keyword} (upper case, matched ignoring case), searched from argument
   * {@code startFrom}; a negative start counts from the end and searches backwards.
   */
  public record Keyword(String keyword, int startFrom) implements BeginSearch {}

  /** Redis cannot describe the start; the command needs its own key finder. */
  public record UnknownBegin() implements BeginSearch {}

  /** How the keys are found once the start is known. */
  public sealed interface FindKeys permits Range, Keynum, UnknownFind {}

  /**
   * Keys from the start up to {@code lastKey} (relative to the start; negative counts from the end), every
   * {@code step}-th argument; with a negative lastKey a non-zero {@code limit} takes 1/limit of the rest.
   */
  public record Range(int lastKey, int step, int limit) implements FindKeys {}

  /**
   * The number of keys is argument {@code keynumIdx} (relative to the start) and the keys begin at
   * {@code firstKey} (relative to the start), every {@code step}-th argument.
   */
  public record Keynum(int keynumIdx, int firstKey, int step) implements FindKeys {}

  /** Redis cannot describe the keys; the command needs its own key finder. */
  public record UnknownFind() implements FindKeys {}
}
