package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code server add|remove|promote|replica-read}: a group's Redis servers (codis-admin's group verbs). */
@Command(name = "server", mixinStandardHelpOptions = true,
    header = "Adds, removes or promotes a group's Redis server; turns replica reads on or off.",
    subcommands = {ServerVerb.Add.class, ServerVerb.Remove.class, ServerVerb.Promote.class, ServerVerb.ReplicaRead.class})
final class ServerVerb extends Verb {
  @Override
  void run(AdminClient api) {
    throw new ParameterException(spec.commandLine(), "Missing verb: add, remove, promote or replica-read");
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      header = "Adds a Redis server to a group: its master if it has none, else a replica.")
  static final class Add extends GroupServer {
    @Option(names = "--datacenter", paramLabel = "DC", defaultValue = "",
        description = "Datacenter label, used to prefer nearby replicas.")
    String datacenter;

    @Override
    void run(AdminClient api) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("addr", addr);
      body.put("datacenter", datacenter);
      JsonNode answer = api.post("/api/groups/" + group + "/servers", body);
      show(answer, () -> out().println("server " + addr + " added to group " + group));
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, header = "Removes a Redis server from a group.")
  static final class Remove extends GroupServer {
    @Override
    void run(AdminClient api) {
      JsonNode answer = api.delete("/api/groups/" + group + "/servers/" + AdminClient.segment(addr));
      show(answer, () -> out().println("server " + addr + " removed from group " + group));
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      header = "Makes a replica its group's master (hand-over without loss when the master is alive).")
  static final class Promote extends GroupServer {
    @Override
    void run(AdminClient api) {
      JsonNode answer = api.post("/api/groups/" + group + "/promote", Map.of("addr", addr));
      show(answer, () -> out().println("server " + addr + " is now the master of group " + group));
    }
  }

  @Command(name = "replica-read", mixinStandardHelpOptions = true,
      header = "Lets the nodes send a group's reads to its replicas (on) or only to its master (off).")
  static final class ReplicaRead extends Verb {
    @Parameters(index = "0", paramLabel = "GROUP", converter = Args.GroupId.class)
    int group;

    @Parameters(index = "1", paramLabel = "on|off", converter = Args.OnOff.class)
    boolean enabled;

    @Override
    void run(AdminClient api) {
      JsonNode answer = api.post("/api/groups/" + group + "/replica-read", Map.of("enabled", enabled));
      show(answer, () -> out().println("replica reads " + (enabled ? "on" : "off") + " for group " + group));
    }
  }

  /** The two arguments of the verbs on one server of a group. */
  abstract static class GroupServer extends Verb {
    @Parameters(index = "0", paramLabel = "GROUP", converter = Args.GroupId.class)
    int group;

    @Parameters(index = "1", paramLabel = "ADDR", converter = Args.ServerAddr.class, description = "HOST:PORT")
    String addr;
  }
}
