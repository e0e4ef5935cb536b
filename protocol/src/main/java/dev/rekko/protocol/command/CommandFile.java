package dev.rekko.protocol.command;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The text format of {@code commands.txt}: one command or subcommand per line, fields separated by
 * spaces, {@code #} starts a comment line.
 *
 * <pre>
 * name  arity  flags  first last step  since  policy  keyspec...
 * get   2      readonly,fast  1 1 1   1.0.0  SINGLE_SLOT  RO+access/index:1/range:0,1,0
 * </pre>
 *
 * {@code flags} are COMMAND INFO's names joined by ',' ({@code -} for none). Each key spec is
 * {@code flags/begin/find}: flags joined by '+' ({@code -} for none); begin is {@code index:POS},
 * {@code keyword:KEYWORD,STARTFROM} or {@code unknown}; find is {@code range:LASTKEY,STEP,LIMIT},
 * {@code keynum:KEYNUMIDX,FIRSTKEY,STEP} or {@code unknown}.
 */
final class CommandFile {
  private CommandFile() {}

  static CommandSpec parse(String line) {
    String[] f = line.trim().split("\\s+");
    if (f.length < 8) {
      throw new IllegalArgumentException("expected at least 8 fields: " + line);
    }
    Set<CommandFlag> flags = EnumSet.noneOf(CommandFlag.class);
    if (!f[2].equals("-")) {
      for (String flag : f[2].split(",")) {
        CommandFlag cf = CommandFlag.ofRedisName(flag);
        if (cf == null) {
          throw new IllegalArgumentException("unknown flag " + flag + " in: " + line);
        }
        flags.add(cf);
      }
    }
    List<KeySpec> specs = new ArrayList<>();
    for (int i = 8; i < f.length; i++) {
      specs.add(parseKeySpec(f[i]));
    }
    return new CommandSpec(f[0], Integer.parseInt(f[1]), flags, Integer.parseInt(f[3]),
        Integer.parseInt(f[4]), Integer.parseInt(f[5]), specs, f[6], Policy.valueOf(f[7]));
  }

  static KeySpec parseKeySpec(String text) {
    String[] parts = text.split("/");
    if (parts.length != 3) {
      throw new IllegalArgumentException("key spec needs flags/begin/find: " + text);
    }
    Set<KeySpec.Flag> flags = EnumSet.noneOf(KeySpec.Flag.class);
    if (!parts[0].equals("-")) {
      for (String flag : parts[0].split("\\+")) {
        KeySpec.Flag kf = KeySpec.Flag.ofRedisName(flag);
        if (kf == null) {
          throw new IllegalArgumentException("unknown key spec flag " + flag + " in: " + text);
        }
        flags.add(kf);
      }
    }
    return new KeySpec(flags, parseBegin(parts[1]), parseFind(parts[2]));
  }

  private static KeySpec.BeginSearch parseBegin(String text) {
    if (text.equals("unknown")) {
      return new KeySpec.UnknownBegin();
    } else if (text.startsWith("index:")) {
      return new KeySpec.Index(Integer.parseInt(text.substring(6)));
    } else if (text.startsWith("keyword:")) {
      int comma = text.lastIndexOf(',');
      return new KeySpec.Keyword(text.substring(8, comma), Integer.parseInt(text.substring(comma + 1)));
    }
    throw new IllegalArgumentException("bad begin_search: " + text);
  }

  private static KeySpec.FindKeys parseFind(String text) {
    if (text.equals("unknown")) {
      return new KeySpec.UnknownFind();
    } else if (text.startsWith("range:")) {
      int[] n = ints(text.substring(6));
      return new KeySpec.Range(n[0], n[1], n[2]);
    } else if (text.startsWith("keynum:")) {
      int[] n = ints(text.substring(7));
      return new KeySpec.Keynum(n[0], n[1], n[2]);
    }
    throw new IllegalArgumentException("bad find_keys: " + text);
  }

  private static int[] ints(String text) {
    String[] parts = text.split(",");
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected three numbers: " + text);
    }
    int[] n = new int[3];
    for (int i = 0; i < 3; i++) {
      n[i] = Integer.parseInt(parts[i]);
    }
    return n;
  }

  /** The line for {@code spec}, columns padded so the file reads as a table. */
  static String format(CommandSpec spec) {
    StringJoiner flags = new StringJoiner(",");
    spec.flags().forEach(f -> flags.add(f.redisName()));
    StringBuilder s = new StringBuilder();
    s.append(pad(spec.name(), 30)).append(pad(Integer.toString(spec.arity()), 4))
        .append(pad(spec.flags().isEmpty() ? "-" : flags.toString(), 68))
        .append(pad(spec.firstKey() + " " + spec.lastKey() + " " + spec.step(), 8))
        .append(pad(spec.since(), 8)).append(pad(spec.policy().name(), 12));
    for (KeySpec k : spec.keySpecs()) {
      s.append(' ').append(format(k));
    }
    return s.toString().stripTrailing();
  }

  static String format(KeySpec k) {
    StringJoiner flags = new StringJoiner("+");
    k.flags().forEach(f -> flags.add(f.redisName()));
    String begin;
    if (k.begin() instanceof KeySpec.Index i) {
      begin = "index:" + i.pos();
    } else if (k.begin() instanceof KeySpec.Keyword w) {
      begin = "keyword:" + w.keyword() + "," + w.startFrom();
    } else {
      begin = "unknown";
    }
    String find;
    if (k.find() instanceof KeySpec.Range r) {
      find = "range:" + r.lastKey() + "," + r.step() + "," + r.limit();
    } else if (k.find() instanceof KeySpec.Keynum n) {
      find = "keynum:" + n.keynumIdx() + "," + n.firstKey() + "," + n.step();
    } else {
      find = "unknown";
    }
    return (k.flags().isEmpty() ? "-" : flags.toString()) + "/" + begin + "/" + find;
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }
}
