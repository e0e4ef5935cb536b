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
 */
final class ClientStage extends GraphStage<FlowShape<ByteString, ByteString>> {
  private static final Object TICK = "tick";

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

    Logic() {
      super(shape);
      wake = createAsyncCallback(ignored -> Logic.this.core.onWake());
      core = new ClientCore(ctx, remote, local, this, () -> wake.invoke(Boolean.TRUE), BackendConnection::flush);
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
    }

    @Override
    public void onPush() {
      ByteString bytes = grab(in);
      // A compact ByteString (what the TCP stage reads) gives its array uncopied; the decoder keeps it.
      byte[] chunk = bytes.toArrayUnsafe();
      core.guarded(() -> core.received(chunk, 0, chunk.length));
    }

    @Override
    public void onUpstreamFinish() {
      if (!core.closed()) {
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
      }
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
      int n = bytes.remaining();
      push(out, ByteString.fromArrayUnsafe(bytes.array(), bytes.arrayOffset() + bytes.position(), n));
      bytes.position(bytes.limit());
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
      if (read && !hasBeenPulled(in) && !isClosed(in)) {
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
