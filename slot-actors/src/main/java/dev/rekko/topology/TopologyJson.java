package dev.rekko.topology;

import com.fasterxml.jackson.databind.util.StdConverter;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Jackson converters that show {@link Topology}'s maps as arrays, the shape of the HTTP API. */
final class TopologyJson {
  private TopologyJson() {}

  static final class GroupsToList extends StdConverter<SortedMap<Integer, GroupInfo>, List<GroupInfo>> {
    @Override
    public List<GroupInfo> convert(SortedMap<Integer, GroupInfo> groups) {
      return List.copyOf(groups.values());
    }
  }

  static final class ListToGroups extends StdConverter<List<GroupInfo>, SortedMap<Integer, GroupInfo>> {
    @Override
    public SortedMap<Integer, GroupInfo> convert(List<GroupInfo> groups) {
      SortedMap<Integer, GroupInfo> map = new TreeMap<>();
      groups.forEach(g -> map.put(g.id(), g));
      return map;
    }
  }

  static final class NodesToList extends StdConverter<SortedMap<String, NodeInfo>, List<NodeInfo>> {
    @Override
    public List<NodeInfo> convert(SortedMap<String, NodeInfo> nodes) {
      return List.copyOf(nodes.values());
    }
  }

  static final class ListToNodes extends StdConverter<List<NodeInfo>, SortedMap<String, NodeInfo>> {
    @Override
    public SortedMap<String, NodeInfo> convert(List<NodeInfo> nodes) {
      SortedMap<String, NodeInfo> map = new TreeMap<>();
      nodes.forEach(n -> map.put(n.address(), n));
      return map;
    }
  }
}
