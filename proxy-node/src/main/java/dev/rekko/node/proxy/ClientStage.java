package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendConnection;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.InHandler;
import org.apache.pekko.stream.stage.OutHandler;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The Streams transport of one client connection: a graph stage hosting a {@link ClientCore}. Request
 * bytes pushed in go to the core's decoder; the core's replies are pushed out, those ready together as
 * one {@link ByteString}; the inlet is pulled only while the core may read (dispatch window, output
 * pause, memory budget), so the socket is not read meanwhile. The session's signal (from backend I/O
 * threads) comes back onto the stage as an async callback; a timer ticks for the idle timeout and the
 * output limits. Each materialization is one client.
 *
 * <p>Two things differ from a socket. Bytes pushed after a pull the core may no longer want (its
 * client came to owe too much meanwhile, or the node's memory budget paused reading) wait in the stage,
 * unread by the core, until it may read again. And what the stage pushes is out of the core's
 * accounting, while Pekko's TCP stage takes another element as soon as it has less than its write
 * buffer (16 KiB) besides the write in progress: so replies leave in slices of {@link #SLICE} bytes,
 * and at most about two slices are in Pekko's hands, as a socket's send buffer would hold them.
 */
final class ClientStage extends GraphStage<FlowShape<ByteString, ByteString>> {
  private static final Object TICK = "tick";
  /** The most one push carries: what the core counts as written but the socket may not have taken. */
  static final int SLICE = 64 * 1024;

  private final Inlet<ByteString> in = Inlet.create("ClientStage.in");
  private final Outlet<ByteString> out = Outlet.create("ClientStage.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final NodeContext ctx;
  private final String remote;
  private final String local;

  ClientStage(NodeContext ctx, String remote, String local) {
    this.ctx = ctx;
    this.remote = remote;
    this.local = local;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  /** What a close the core decided fails the stage with, so that the TCP stage aborts (replies dropped). */
  private static final class Dropped extends RuntimeException {
    Dropped() {
      super("client connection closed by the node", null, false, false);
    }
  }

  private final class Logic extends TimerGraphStageLogic implements ClientTransport, InHandler, OutHandler {
    private final AsyncCallback<Boolean> wake;
    private final ClientCore core;
    private boolean stopped;
    private long lastPushNanos;
    // Input pushed while the core could not read, and whether the input ended after it.
    private byte[] stashed;
    private boolean endAfterStash;

    Logic() {
      super(shape);
      wake = createAsyncCallback(ignored -> onWake());
      core = new ClientCore(ctx, remote, local, this, () -> wake.invoke(Boolean.TRUE), BackendConnection::flush,
          id -> (int) id);
      setHandlers(in, out, this);
    }

    @Override
    public void preStart() {
      ClientFlow.resumeOnce(ctx);
      core.start();
      Duration idle = ctx.proxy.idleTimeout();
      Duration tick = idle.isZero() || idle.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : idle;
      scheduleWithFixedDelay(TICK, tick, tick);
      core.refreshInterest();
    }

    @Override
    public void onTimer(Object key) {
      long now = System.nanoTime();
      core.onTick(now);
      // Catches a resume of the node's memory budget missed by a race, and evicts when it stalls.
      ctx.memory.onTick(now);
      unstash();
    }

    @Override
    public void onPush() {
      // A compact ByteString (what the TCP stage reads) gives its array uncopied; the decoder keeps it.
      byte[] chunk = grab(in).toArrayUnsafe();
      if (core.closed()) {
        return;
      }
      if (!core.mayRead()) {
        stashed = chunk;
        return;
      }
      core.guarded(() -> core.received(chunk, 0, chunk.length));
      unstash();
    }

    /** Gives the core the input that waited for it, once it may read again. */
    private void unstash() {
      while (stashed != null && !core.closed() && core.mayRead()) {
        byte[] chunk = stashed;
        stashed = null;
        core.guarded(() -> core.received(chunk, 0, chunk.length));
      }
      if (stashed == null && endAfterStash && !core.closed()) {
        endAfterStash = false;
        core.guarded(core::inputEnded);
      }
    }

    @Override
    public void onUpstreamFinish() {
      if (stashed != null) {
        endAfterStash = true;
      } else if (!core.closed()) {
        core.guarded(core::inputEnded);
      }
    }

    @Override
    public void onUpstreamFailure(Throwable ex) {
      core.close();
    }

    @Override
    public void onPull() {
      if (!core.closed()) {
        core.guarded(core::writable);
        unstash();
      }
    }

    private void onWake() {
      core.onWake();
      unstash();
    }

    @Override
    public void onDownstreamFinish(Throwable cause) {
      // The client is gone: nothing owed can reach it.
      core.close();
    }

    @Override
    public void postStop() {
      stopped = true;
      core.close();
    }

    @Override
    public int write(ByteBuffer bytes) {
      int n = Math.min(bytes.remaining(), SLICE);
      push(out, ByteString.fromArrayUnsafe(bytes.array(), bytes.arrayOffset() + bytes.position(), n));
      bytes.position(bytes.position() + n);
      lastPushNanos = System.nanoTime();
      return n;
    }

    @Override
    public boolean writable() {
      return isAvailable(out);
    }

    @Override
    public long lastWriteNanos() {
      return lastPushNanos;
    }

    @Override
    public void interest(boolean read, boolean write) {
      if (read && stashed == null && !hasBeenPulled(in) && !isClosed(in)) {
        pull(in);
      }
    }

    @Override
    public void close(boolean graceful) {
      if (stopped) {
        return;
      }
      stopped = true;
      if (graceful) {
        completeStage();
      } else {
        failStage(new Dropped());
      }
    }
  }
}
