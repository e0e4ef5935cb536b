package dev.rekko.topology;

/** The role a backend Redis server plays in its group. */
public enum ServerRole {
  MASTER,
  REPLICA
}
