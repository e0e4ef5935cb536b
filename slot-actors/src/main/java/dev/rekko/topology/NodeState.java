package dev.rekko.topology;

/** The life cycle of one Rekko node as the node itself reports it. */
public enum NodeState {
  /** Member, but the topology is not loaded yet: answers {@code ERR router is not online}. */
  JOINING,
  /** Serving. */
  UP,
  /** Lost contact with the majority: refuses commands until it sees it again. */
  FENCED,
  /** Shutting down. */
  LEAVING
}
