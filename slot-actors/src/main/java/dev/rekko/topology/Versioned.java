package dev.rekko.topology;

/**
 * A replicated entry whose version is its epoch. The epoch doubles as the LWW clock of the entry, so the
 * newest epoch wins a merge whatever the wall clocks of the writers say.
 */
public interface Versioned {
  long epoch();
}
