package dev.rekko.redis.pubsub;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The confirmation frames a {@link SubscriberConnection} still expects, per command sent, and what runs
 * when a command's last one came. Redis confirms an (UN)SUBSCRIBE with one frame per name, or refuses the
 * whole command with one error. Not thread-safe: the connection calls it under its lock.
 */
final class Confirmations {
  private static final class Ack {
    int frames;
    Runnable done;

    Ack(int frames, Runnable done) {
      this.frames = frames;
      this.done = done;
    }
  }

  private final ArrayDeque<Ack> acks = new ArrayDeque<>();

  /** A command of {@code frames} names went out; {@code done} (may be null) runs once all are confirmed. */
  void expect(int frames, Runnable done) {
    acks.add(new Ack(frames, done));
  }

  /** One confirmation frame came: the callback to run now when it was its command's last, else null. */
  Runnable confirmed() {
    Ack a = acks.peek();
    if (a != null && --a.frames <= 0) {
      acks.poll();
      return a.done;
    }
    return null;
  }

  /** The oldest command was refused with an error: its callback (to run now), or null. */
  Runnable refused() {
    Ack a = acks.poll();
    return a == null ? null : a.done;
  }

  /** Makes {@code then} run after the last command expected now; false when none is expected. */
  boolean afterLast(Runnable then) {
    Ack last = acks.peekLast();
    if (last == null) {
      return false;
    }
    Runnable before = last.done;
    last.done = before == null ? then : () -> {
      before.run();
      then.run();
    };
    return true;
  }

  /** The connection is down: nothing will be confirmed. Adds every callback still waiting to {@code owed}. */
  void abandon(List<Runnable> owed) {
    for (Ack a : acks) {
      if (a.done != null) {
        owed.add(a.done);
      }
    }
    acks.clear();
  }
}
