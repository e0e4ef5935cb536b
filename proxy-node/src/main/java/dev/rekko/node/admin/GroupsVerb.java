package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code groups}: lists the groups; {@code groups create|remove|show ID}. */
@Command(name = "groups", mixinStandardHelpOptions = true,
    header = "Lists the groups with their slots and servers (health, Redis role, offset, lag); creates, removes or shows one.",
    subcommands = {GroupsVerb.Create.class, GroupsVerb.Remove.class, GroupsVerb.Show.class})
final class GroupsVerb extends Verb {
  @Override
  void run(AdminClient api) {
    JsonNode groups = api.get("/api/groups");
    show(groups, () -> ClusterViews.groups(groups, Map.of(), out()));
  }

  @Command(name = "create", mixinStandardHelpOptions = true, header = "Creates an empty group.")
  static final class Create extends Verb {
    @Parameters(paramLabel = "ID", converter = Args.GroupId.class, description = "The new group's id, > 0.")
    int id;

    @Override
    void run(AdminClient api) {
      JsonNode answer = api.post("/api/groups", Map.of("id", id));
      show(answer, () -> out().println("group " + id + " created"));
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      header = "Removes a group; the node refuses while it owns slots.")
  static final class Remove extends Verb {
    @Parameters(paramLabel = "ID", converter = Args.GroupId.class)
    int id;

    @Override
    void run(AdminClient api) {
      JsonNode answer = api.delete("/api/groups/" + id);
      show(answer, () -> out().println("group " + id + " removed"));
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, header = "Shows one group and its servers.")
  static final class Show extends Verb {
    @Parameters(paramLabel = "ID", converter = Args.GroupId.class)
    int id;

    @Override
    void run(AdminClient api) {
      JsonNode group = api.get("/api/groups/" + id);
      show(group, () -> ClusterViews.groups(AdminClient.MAPPER.createArrayNode().add(group), Map.of(), out()));
    }
  }
}
