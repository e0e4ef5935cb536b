package dev.rekko.topology;

import dev.rekko.protocol.SlotHash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The first topology of a new cluster: groups with their servers and every slot online, spread evenly.
 * Only for a cluster that is empty and was never bootstrapped ({@link #canSeed}); afterwards groups and
 * slots change only through the coordinator and the slot actors.
 */
public final class TopologySeed {
  /** The epoch of every seeded entry. */
  public static final long EPOCH = 1;

  /**
   * One group to create.
   *
   * @param servers {@code host:port} addresses, master first
   */
  public record SeedGroup(int id, List<String> servers) {
    public SeedGroup {
      servers = List.copyOf(servers);
      if (servers.isEmpty()) {
        throw new IllegalArgumentException("group " + id + " needs at least a master");
      }
    }
  }

  /** What to write: the groups and all 1024 slots. */
  public record Plan(List<GroupInfo> groups, List<SlotInfo> slots) {
    public Plan {
      groups = List.copyOf(groups);
      slots = List.copyOf(slots);
    }
  }

  private TopologySeed() {}

  /**
   * Builds the plan: groups in id order get contiguous slot ranges of {@code 1024 / n} slots, the first
   * {@code 1024 % n} one more, all {@link SlotState#ONLINE} at epoch {@value #EPOCH}.
   */
  public static Plan plan(List<SeedGroup> seedGroups) {
    if (seedGroups.isEmpty()) {
      throw new IllegalArgumentException("a seed needs at least one group");
    }
    List<SeedGroup> sorted = new ArrayList<>(seedGroups);
    sorted.sort(Comparator.comparingInt(SeedGroup::id));
    Set<Integer> ids = new HashSet<>();
    List<GroupInfo> groups = new ArrayList<>();
    for (SeedGroup g : sorted) {
      if (!ids.add(g.id())) {
        throw new IllegalArgumentException("group " + g.id() + " given twice");
      }
      List<ServerInfo> servers = new ArrayList<>();
      for (int i = 0; i < g.servers().size(); i++) {
        String addr = g.servers().get(i);
        servers.add(i == 0 ? ServerInfo.master(addr) : ServerInfo.replica(addr));
      }
      groups.add(new GroupInfo(g.id(), servers, false, EPOCH));
    }
    int n = groups.size();
    int base = SlotHash.SLOTS / n;
    int extra = SlotHash.SLOTS % n;
    List<SlotInfo> slots = new ArrayList<>(SlotHash.SLOTS);
    for (int g = 0; g < n; g++) {
      int count = base + (g < extra ? 1 : 0);
      for (int i = 0; i < count; i++) {
        slots.add(SlotInfo.online(slots.size(), groups.get(g).id(), EPOCH));
      }
    }
    return new Plan(groups, slots);
  }

  /**
   * True when the topology is loaded, was never bootstrapped, and holds nothing but (part of) this plan:
   * a seed cut short before its marker may run again with the same plan, whose writes are then no-ops
   * where they already happened. Anything else written (a group or slot from the API) forbids seeding.
   */
  public static boolean canSeed(Topology topology, Plan plan) {
    if (!topology.loaded() || topology.bootstrapped()) {
      return false;
    }
    for (GroupInfo g : topology.groups().values()) {
      if (!plan.groups().contains(g)) {
        return false;
      }
    }
    for (SlotInfo s : topology.slots()) {
      if (!s.equals(SlotInfo.offline(s.id())) && !s.equals(plan.slots().get(s.id()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes the plan: groups, then slots, then the bootstrapped marker, each only after the previous
   * succeeded, so a marker is never set for a half-written seed. The caller checks {@link #canSeed} first
   * (the coordinator singleton does, so two nodes do not seed at once).
   */
  public static CompletionStage<Done> write(TopologyWriter writer, Plan plan) {
    return writer.putGroups(plan.groups())
        .thenCompose(d -> writer.putSlots(plan.slots()))
        .thenCompose(d -> writer.markBootstrapped(EPOCH));
  }
}
