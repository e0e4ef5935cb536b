package dev.rekko.slots;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The protocol of a migration's barrier between a slot's actor and every node. Each node runs one agent,
 * registered with the Receptionist under {@link #KEY}. A slot actor asks every member's agent and moves on
 * only when all have answered (members that leave the cluster meanwhile are no longer asked).
 */
public final class Barrier {
  public static final ServiceKey<Request> KEY = ServiceKey.create(Request.class, "rekko-barrier");

  private Barrier() {}

  /**
   * Answered once this node's routing table holds slot {@code slot} at epoch {@code epoch} or later
   * (commands for it are then held, not sent), no session is still dispatching with an older table, and
   * every command the node had sent to the slot's source master (as its routing table names it) has been
   * answered. Idempotent: asking again is answered again.
   */
  public record Request(int slot, long epoch, ActorRef<Drained> replyTo) implements SlotSerializable {}

  /** @param node the answering member's address */
  public record Drained(String node, int slot, long epoch) implements SlotSerializable {}
}
