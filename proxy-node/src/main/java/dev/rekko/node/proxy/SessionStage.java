package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RequestDecoder;
import dev.rekko.protocol.resp.RespProtocolException;
import java.time.Duration;
import java.util.ArrayDeque;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * One client connection: bytes in → decode → dispatch → in-order replies → bytes out, in a single stage
 * so a request crosses no extra thread. Everything decoded from one read is dispatched as a batch and
 * its backend writes leave together; replies that completed meanwhile leave in one write too.
 *
 * <p>Backpressure instead of errors: the stage stops reading while {@code max-pipeline} commands are
 * in flight or unsent, so a client that pipelines faster than the backends answer, or reads its
 * replies slowly, simply waits.
 */
public final class SessionStage extends GraphStage<FlowShape<ByteString, ByteString>> {
  /** Replies are merged into one write up to this size; a bigger one leaves alone, uncopied. */
  private static final int MAX_WRITE = 256 * 1024;

  private final Inlet<ByteString> in = Inlet.create("Session.in");
  private final Outlet<ByteString> out = Outlet.create("Session.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final NodeContext ctx;
  private final String remote;

  public SessionStage(NodeContext ctx, String remote) {
    this.ctx = ctx;
    this.remote = remote;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends TimerGraphStageLogic {
    private final RequestDecoder decoder = new RequestDecoder();
    private Session session;
    private boolean inputDone;
    private boolean closing;
    private long lastInputNanos = System.nanoTime();

    Logic() {
      super(shape);
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          onInput(grab(in));
        }

        @Override
        public void onUpstreamFinish() {
          inputDone = true;
          drain();
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          drain();
          pullIfRoom();
        }
      });
    }

    @Override
    public void preStart() {
      AsyncCallback<Object> wake = createAsyncCallback(ignored -> onWake());
      session = new Session(ctx, ctx.sessionIds.incrementAndGet(), remote, () -> wake.invoke(null));
      ctx.sessions.add(session);
      ctx.stats.sessionOpened();
      Duration idle = ctx.proxy.idleTimeout();
      if (!idle.isZero()) {
        Duration every = idle.compareTo(Duration.ofSeconds(1)) < 0 ? idle : Duration.ofSeconds(1);
        scheduleWithFixedDelay("idle", every, every);
      }
      pull(in);
    }

    @Override
    public void postStop() {
      ctx.sessions.remove(session);
      ctx.clients.decrementAndGet();
      ctx.stats.sessionClosed();
    }

    @Override
    public void onTimer(Object key) {
      long idleNanos = ctx.proxy.idleTimeout().toNanos();
      if (session.inFlight() == 0 && System.nanoTime() - lastInputNanos > idleNanos) {
        completeStage();
      }
    }

    private void onInput(ByteString bytes) {
      lastInputNanos = System.nanoTime();
      byte[] chunk = bytes.toArrayUnsafe();
      decoder.feed(chunk, 0, chunk.length);
      session.beginBatch();
      try {
        Command cmd;
        while (!session.quitting && (cmd = decoder.next()) != null) {
          session.dispatch(cmd);
        }
      } catch (RespProtocolException e) {
        // Like Redis: answer the protocol error after the replies already owed, then close.
        Pending error = new Pending(session, ctx.statsFor(null), System.nanoTime());
        error.completeError(e.getMessage());
        session.queue().add(error);
        closing = true;
      }
      session.processDeferred();
      session.flush();
      session.endBatch();
      drain();
      pullIfRoom();
    }

    private void onWake() {
      session.clearSignal();
      if (session.hasDeferred()) {
        session.beginBatch();
        session.processDeferred();
        session.flush();
        session.endBatch();
      }
      drain();
      pullIfRoom();
    }

    private void pullIfRoom() {
      if (!closing && !session.quitting && !inputDone && !hasBeenPulled(in)
          && session.inFlight() < ctx.proxy.maxPipeline()) {
        pull(in);
      }
    }

    /** Pushes every reply at the head of the queue that is complete, as one ByteString. */
    private void drain() {
      ArrayDeque<Pending> queue = session.queue();
      if (isAvailable(out)) {
        int count = 0;
        long bytes = 0;
        for (Pending p : queue) {
          if (!p.done || (count > 0 && bytes + p.length > MAX_WRITE)) {
            break;
          }
          count++;
          bytes += p.length;
        }
        if (count > 0) {
          push(out, take(queue, count, bytes));
        }
      }
      if (queue.isEmpty() && (closing || session.quitting || inputDone)) {
        completeStage();
      }
    }

    private ByteString take(ArrayDeque<Pending> queue, int count, long bytes) {
      long now = System.nanoTime();
      if (count == 1) {
        Pending p = queue.poll();
        p.stats.record(now - p.startNanos, p.error);
        return ByteString.fromArrayUnsafe(p.array, p.offset, p.length);
      }
      byte[] merged = new byte[(int) bytes];
      int pos = 0;
      for (int i = 0; i < count; i++) {
        Pending p = queue.poll();
        System.arraycopy(p.array, p.offset, merged, pos, p.length);
        pos += p.length;
        p.stats.record(now - p.startNanos, p.error);
      }
      return ByteString.fromArrayUnsafe(merged, 0, pos);
    }
  }
}
