package dev.rekko.protocol.command;

import dev.rekko.protocol.Errors;

/**
 * How one command with a numkeys argument validates it, and the error text Redis uses for each failure.
 * Redis checks numkeys inside each command's implementation, so the texts and the bounds differ by command
 * (verified against redis-server 7.0.15 by {@code CommandTableVsRedisTest}).
 *
 * @param notInteger text when numkeys is not an integer
 * @param negative text when numkeys is negative
 * @param zero text when numkeys is zero, or null when zero keys are fine
 * @param tooMany text when the keys would run past the arguments
 * @param trailing arguments that must follow the keys (the LEFT/RIGHT or MIN/MAX of the *MPOP commands)
 */
record NumKeysRule(String notInteger, String negative, String zero, String tooMany, int trailing) {

  /** The rule for {@code name}, or null when the command has no numkeys argument. */
  static NumKeysRule forCommand(String name) {
    return switch (name) {
      case "eval", "evalsha", "eval_ro", "evalsha_ro" -> new NumKeysRule(Errors.NOT_AN_INTEGER,
          Errors.NUMKEYS_NEGATIVE, null, Errors.NUMKEYS_GREATER_THAN_ARGS, 0);
      case "fcall", "fcall_ro" -> new NumKeysRule(Errors.FCALL_BAD_NUMKEYS, Errors.NUMKEYS_NEGATIVE,
          null, Errors.NUMKEYS_GREATER_THAN_ARGS, 0);
      case "zunionstore", "zinterstore", "zdiffstore", "zunion", "zinter", "zdiff", "zintercard" -> {
        String atLeastOne = Errors.atLeastOneInputKey(name);
        yield new NumKeysRule(Errors.NOT_AN_INTEGER, atLeastOne, atLeastOne, Errors.SYNTAX, 0);
      }
      case "sintercard" -> new NumKeysRule(Errors.NUMKEYS_NOT_POSITIVE, Errors.NUMKEYS_NOT_POSITIVE,
          Errors.NUMKEYS_NOT_POSITIVE, Errors.NUMKEYS_GREATER_THAN_ARGS, 0);
      case "lmpop", "zmpop", "blmpop", "bzmpop" -> new NumKeysRule(Errors.NUMKEYS_NOT_POSITIVE,
          Errors.NUMKEYS_NOT_POSITIVE, Errors.NUMKEYS_NOT_POSITIVE, Errors.SYNTAX, 1);
      default -> null;
    };
  }

  String text(KeyError error) {
    return switch (error) {
      case NUMKEYS_NOT_INTEGER -> notInteger;
      case NUMKEYS_NEGATIVE -> negative;
      case NUMKEYS_ZERO -> zero;
      case NUMKEYS_TOO_MANY -> tooMany;
      default -> Errors.SYNTAX;
    };
  }
}
