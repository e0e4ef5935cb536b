package dev.rekko.node.consistency;

/** A register holds {@code "<owner client>:<version>"}; no value is version 0. */
final class RegisterValue {
  /** Not written by the owner (another client, garbage): no write of the checker explains it. */
  static final long FOREIGN = -1;

  private RegisterValue() {}

  static long versionOf(String value, int owner) {
    if (value == null) {
      return 0;
    }
    int colon = value.indexOf(':');
    if (colon < 0 || !value.substring(0, colon).equals(Integer.toString(owner))) {
      return FOREIGN;
    }
    try {
      long version = Long.parseLong(value.substring(colon + 1));
      return version > 0 ? version : FOREIGN;
    } catch (NumberFormatException e) {
      return FOREIGN;
    }
  }

  static String format(int owner, long version) {
    return version == 0 ? "(nil)" : owner + ":" + version;
  }
}
