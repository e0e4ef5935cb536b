package dev.rekko.node.admin;

import dev.rekko.protocol.SlotHash;
import dev.rekko.topology.Topology;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks of the verbs' arguments, done here rather than left to the node so that a typo is a usage
 * error (exit 2) with a message naming the argument, and never reaches the cluster.
 */
final class Args {
  private Args() {}

  /** Slots {@code from..to}, both included. */
  record SlotRange(int from, int to) {
    SlotRange {
      int last = SlotHash.SLOTS - 1;
      if (from < 0 || to > last || from > to) {
        throw new TypeConversionException("'" + from + "-" + to + "' is not a slot range: slots are 0.."
            + last + " and FROM must not exceed TO");
      }
    }

    /** {@code N} or {@code FROM-TO}. */
    static SlotRange parse(String text) {
      String[] parts = text.strip().split("-", -1);
      if (parts.length == 1) {
        int slot = slot(parts[0], text);
        return new SlotRange(slot, slot);
      }
      if (parts.length == 2) {
        return new SlotRange(slot(parts[0], text), slot(parts[1], text));
      }
      throw notSlots(text);
    }

    boolean contains(int slot) {
      return slot >= from && slot <= to;
    }

    @Override
    public String toString() {
      return from == to ? Integer.toString(from) : from + "-" + to;
    }

    /** One slot number. */
    static int slot(String text) {
      return slot(text.strip(), text);
    }

    private static int slot(String part, String text) {
      try {
        int slot = Integer.parseInt(part);
        if (slot < 0 || slot >= SlotHash.SLOTS) {
          throw notSlots(text);
        }
        return slot;
      } catch (NumberFormatException e) {
        throw notSlots(text);
      }
    }

    private static TypeConversionException notSlots(String text) {
      return new TypeConversionException("'" + text + "' is not a slot or slot range: expected N or FROM-TO "
          + "with slots 0.." + (SlotHash.SLOTS - 1));
    }
  }

  /** A slot range and a group: {@code FROM TO GROUP} as codis-admin writes it, or {@code FROM-TO GROUP}. */
  record RangeToGroup(SlotRange range, int group) {
    static RangeToGroup parse(CommandSpec spec, List<String> args) {
      try {
        return switch (args.size()) {
          case 2 -> new RangeToGroup(SlotRange.parse(args.get(0)), new GroupId().convert(args.get(1)));
          case 3 -> new RangeToGroup(
              new SlotRange(SlotRange.slot(args.get(0)), SlotRange.slot(args.get(1))),
              new GroupId().convert(args.get(2)));
          default -> throw new TypeConversionException(
              "expected FROM TO GROUP or FROM-TO GROUP, got " + args.size() + " argument(s)");
        };
      } catch (TypeConversionException e) {
        throw new ParameterException(spec.commandLine(), "Invalid arguments " + args + ": " + e.getMessage());
      }
    }
  }

  /** A group id: a positive integer. */
  static final class GroupId implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      try {
        int id = Integer.parseInt(text.strip());
        if (id > 0) {
          return id;
        }
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
      throw new TypeConversionException("'" + text + "' is not a group id: expected a positive integer");
    }
  }

  /** A Redis server, {@code host:port} ({@code [v6]:port} for IPv6), port 1..65535. */
  static final class ServerAddr implements ITypeConverter<String> {
    @Override
    public String convert(String text) {
      String addr = text.strip();
      int colon = addr.lastIndexOf(':');
      String host = colon > 0 ? addr.substring(0, colon) : "";
      boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
      boolean plain = !host.isEmpty() && !host.contains(":") && !host.contains("[") && !host.contains("/")
          && host.chars().noneMatch(Character::isWhitespace);
      if ((bracketed || plain) && validPort(addr.substring(colon + 1))) {
        return addr;
      }
      throw new TypeConversionException("'" + text + "' is not a server address: expected HOST:PORT "
          + "with a port 1..65535");
    }

    private static boolean validPort(String text) {
      if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
        return false;
      }
      int port = Integer.parseInt(text);
      return port >= 1 && port <= 65535;
    }
  }

  /** {@code on|off} (also true/false, yes/no). */
  static final class OnOff implements ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String text) {
      return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "on", "true", "yes" -> true;
        case "off", "false", "no" -> false;
        default -> throw new TypeConversionException("'" + text + "' is neither on nor off");
      };
    }
  }

  /** {@code N} or {@code FROM-TO}, as a picocli converter. */
  static final class Slots implements ITypeConverter<SlotRange> {
    @Override
    public SlotRange convert(String text) {
      return SlotRange.parse(text);
    }
  }
}
