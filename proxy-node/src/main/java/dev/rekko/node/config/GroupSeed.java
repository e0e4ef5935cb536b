package dev.rekko.node.config;

import dev.rekko.protocol.SlotHash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** One group of {@code rekko.bootstrap.groups}: its id and its servers, master first ("host:port"). */
public record GroupSeed(int id, List<String> servers) {
  public String master() {
    return servers.get(0);
  }

  /**
   * The even spread of all slots over {@code groups}: element {@code s} is the id of the group that
   * owns slot {@code s}. Groups take contiguous ranges in id order, and the first
   * {@code SLOTS % n} of them one slot more. Without groups every element is 0 (no owner).
   */
  public static int[] evenSlots(List<GroupSeed> groups) {
    int[] owners = new int[SlotHash.SLOTS];
    if (groups.isEmpty()) {
      return owners;
    }
    List<GroupSeed> byId = new ArrayList<>(groups);
    byId.sort(Comparator.comparingInt(GroupSeed::id));
    int n = byId.size();
    int base = SlotHash.SLOTS / n;
    int extra = SlotHash.SLOTS % n;
    int slot = 0;
    for (int i = 0; i < n; i++) {
      int size = base + (i < extra ? 1 : 0);
      for (int end = slot + size; slot < end; slot++) {
        owners[slot] = byId.get(i).id();
      }
    }
    return owners;
  }

  /**
   * The one-line form {@code "1=h:p,h:p;2=h:p"} that {@code rekko.bootstrap.groups} also accepts,
   * handy for environment variables and {@code -D} overrides.
   */
  public static String format(List<GroupSeed> groups) {
    return groups.stream()
        .map(g -> g.id() + "=" + String.join(",", g.servers()))
        .collect(Collectors.joining(";"));
  }
}
