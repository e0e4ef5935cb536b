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

  /** Where each node's agent takes {@link GroupRequest}s (a group's master is being switched). */
  public static final ServiceKey<GroupRequest> GROUP_KEY = ServiceKey.create(GroupRequest.class,
      "rekko-group-barrier");

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

  /**
   * Answered once this node's routing table holds group {@code group} at epoch {@code epoch} or later (its
   * {@code switching} flag set: commands of its slots are held) and no session still dispatches with an
   * older table; with {@code drain}, also once nothing the node sent to {@code server} can still run there
   * (as for {@link Request}). A failover of a dead master asks without drain (the master cannot answer);
   * a switchover asks with it. Idempotent.
   */
  public record GroupRequest(int group, long epoch, String server, boolean drain, ActorRef<GroupHeld> replyTo)
      implements SlotSerializable {}

  /** @param node the answering member's address */
  public record GroupHeld(String node, int group, long epoch) implements SlotSerializable {}
}
