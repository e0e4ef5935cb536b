package dev.rekko.protocol.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Regenerates {@code commands.txt} from a running redis-server (the table was made from 7.0.15):
 *
 * <pre>
 * ./mvnw -q -B -pl protocol test-compile
 * java -cp protocol/target/classes:protocol/target/test-classes \
 *   dev.rekko.protocol.command.CommandTableGenerator 127.0.0.1 6379 \
 *   protocol/src/main/resources/dev/rekko/protocol/command/commands.txt
 * </pre>
 *
 * Names, arities, flags, legacy key positions, key specs and {@code since} come from the server's
 * COMMAND INFO and COMMAND DOCS (no documentation prose is copied). Kept from the existing file: the
 * policy column, and the lines the server does not know (commands of newer Redis versions, added by hand
 * with their {@code since}, and proxy-only commands). A command new to the table gets a default policy
 * (SINGLE_SLOT when it has keys, REFUSED otherwise) and is listed on stderr: decide it, and record the
 * reason in protocol/COMMANDS.md.
 */
public final class CommandTableGenerator {
  private static final String HEADER = """
      # Rekko's command table: every command and subcommand of Redis 7.0 plus later additions clients send.
      # Generated from redis-server %s by CommandTableGenerator (test sources); the policy column and the
      # lines that redis-server does not know are maintained by hand. Policies are explained in
      # protocol/COMMANDS.md.
      #
      # name  arity  flags  first last step  since  policy  keyspec...
      # keyspec = flags/begin/find; begin = index:POS | keyword:KEYWORD,STARTFROM | unknown;
      # find = range:LASTKEY,STEP,LIMIT | keynum:KEYNUMIDX,FIRSTKEY,STEP | unknown
      """;

  private CommandTableGenerator() {}

  public static void main(String[] argv) throws IOException {
    if (argv.length != 3) {
      System.err.println("usage: CommandTableGenerator HOST PORT commands.txt");
      System.exit(2);
    }
    Path file = Path.of(argv[2]);
    Map<String, CommandSpec> existing = new HashMap<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.startsWith("#")) {
          CommandSpec spec = CommandFile.parse(line);
          existing.put(spec.name(), spec);
        }
      }
    }
    try (MiniRedisClient redis = new MiniRedisClient(argv[0], Integer.parseInt(argv[1]))) {
      String version = version((String) redis.call("INFO", "server"));
      Map<String, String> since = new HashMap<>();
      collectSince(list(redis.call("COMMAND", "DOCS")), since);
      Map<String, CommandSpec> generated = new LinkedHashMap<>();
      for (Object info : list(redis.call("COMMAND", "INFO"))) {
        List<Object> entry = list(info);
        add(entry, since, existing, generated);
        for (Object sub : list(entry.get(9))) {
          add(list(sub), since, existing, generated);
        }
      }
      existing.values().stream().filter(s -> !generated.containsKey(s.name()))
          .forEach(s -> generated.put(s.name(), s));
      List<CommandSpec> sorted = new ArrayList<>(generated.values());
      sorted.sort(Comparator.comparing(CommandSpec::name));
      StringBuilder out = new StringBuilder(String.format(HEADER, version));
      sorted.forEach(s -> out.append(CommandFile.format(s)).append('\n'));
      Files.writeString(file, out, StandardCharsets.UTF_8);
    }
  }

  private static void add(List<Object> entry, Map<String, String> since,
      Map<String, CommandSpec> existing, Map<String, CommandSpec> out) {
    String name = (String) entry.get(0);
    Set<CommandFlag> flags = EnumSet.noneOf(CommandFlag.class);
    for (Object f : list(entry.get(2))) {
      CommandFlag flag = CommandFlag.ofRedisName((String) f);
      if (flag == null) {
        throw new IllegalStateException("flag unknown to CommandFlag: " + f);
      }
      flags.add(flag);
    }
    List<KeySpec> specs = new ArrayList<>();
    for (Object s : list(entry.get(8))) {
      specs.add(keySpec(map(s)));
    }
    CommandSpec old = existing.get(name);
    Policy policy = old != null ? old.policy() : defaultPolicy(flags, specs);
    if (old == null) {
      System.err.println("new command, review its policy: " + name + " -> " + policy);
    }
    out.put(name, new CommandSpec(name, num(entry.get(1)), flags, num(entry.get(3)),
        num(entry.get(4)), num(entry.get(5)), specs, since.getOrDefault(name, "?"), policy));
  }

  private static Policy defaultPolicy(Set<CommandFlag> flags, List<KeySpec> specs) {
    if (flags.contains(CommandFlag.BLOCKING) || flags.contains(CommandFlag.ADMIN)
        || flags.contains(CommandFlag.PUBSUB)) {
      return Policy.REFUSED;
    }
    return specs.isEmpty() ? Policy.REFUSED : Policy.SINGLE_SLOT;
  }

  private static KeySpec keySpec(Map<String, Object> m) {
    Set<KeySpec.Flag> flags = EnumSet.noneOf(KeySpec.Flag.class);
    for (Object f : list(m.get("flags"))) {
      KeySpec.Flag flag = KeySpec.Flag.ofRedisName((String) f);
      if (flag == null) {
        throw new IllegalStateException("key spec flag unknown to KeySpec.Flag: " + f);
      }
      flags.add(flag);
    }
    Map<String, Object> bs = map(m.get("begin_search"));
    Map<String, Object> bsSpec = map(bs.get("spec"));
    KeySpec.BeginSearch begin = switch ((String) bs.get("type")) {
      case "index" -> new KeySpec.Index(num(bsSpec.get("index")));
      case "keyword" -> new KeySpec.Keyword((String) bsSpec.get("keyword"), num(bsSpec.get("startfrom")));
      default -> new KeySpec.UnknownBegin();
    };
    Map<String, Object> fk = map(m.get("find_keys"));
    Map<String, Object> fkSpec = map(fk.get("spec"));
    KeySpec.FindKeys find = switch ((String) fk.get("type")) {
      case "range" -> new KeySpec.Range(num(fkSpec.get("lastkey")), num(fkSpec.get("keystep")),
          num(fkSpec.get("limit")));
      case "keynum" -> new KeySpec.Keynum(num(fkSpec.get("keynumidx")), num(fkSpec.get("firstkey")),
          num(fkSpec.get("keystep")));
      default -> new KeySpec.UnknownFind();
    };
    return new KeySpec(flags, begin, find);
  }

  private static void collectSince(List<Object> docs, Map<String, String> since) {
    for (int i = 0; i + 1 < docs.size(); i += 2) {
      Map<String, Object> doc = map(docs.get(i + 1));
      since.put((String) docs.get(i), (String) doc.get("since"));
      if (doc.get("subcommands") != null) {
        collectSince(list(doc.get("subcommands")), since);
      }
    }
  }

  private static String version(String info) {
    for (String line : info.split("\r\n")) {
      if (line.startsWith("redis_version:")) {
        return line.substring("redis_version:".length());
      }
    }
    throw new IllegalStateException("no redis_version in INFO");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    if (o instanceof MiniRedisClient.ErrorReply e) {
      throw new IllegalStateException(e.message());
    }
    return (List<Object>) o;
  }

  private static Map<String, Object> map(Object o) {
    List<Object> flat = list(o);
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      m.put((String) flat.get(i), flat.get(i + 1));
    }
    return m;
  }

  private static int num(Object o) {
    return ((Long) o).intValue();
  }
}
