package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendAddress;

/** Where one slot's commands go: its group and that group's master; {@code master == null} = offline. */
public record SlotRoute(int slot, int group, BackendAddress master) {
  public boolean online() {
    return master != null;
  }
}
