package dev.rekko.node.proxy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;

/**
 * Passes elements through and completes its materialized value with how the upstream ended. Unlike
 * {@code watchTermination}, a downstream that cancels does not cancel the upstream: the stage drains and
 * drops what still comes, so a failure that follows the cancellation is still seen. The TLS stage does
 * just that when a handshake fails: it cancels the session's output first, then fails the session's input
 * with the reason, which the client TLS listener logs.
 */
final class DrainingWatch<T> extends AbstractGraphStageWithMaterializedValue<FlowShape<T, T>, CompletionStage<Done>> {
  private final Inlet<T> in = Inlet.create("DrainingWatch.in");
  private final Outlet<T> out = Outlet.create("DrainingWatch.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<Done>> createLogicAndMaterializedValuePair(Attributes attributes) {
    CompletableFuture<Done> ended = new CompletableFuture<>();
    GraphStageLogic logic = new GraphStageLogic(shape) {
      private boolean draining;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            T element = grab(in);
            if (draining) {
              pull(in);
            } else {
              push(out, element);
            }
          }

          @Override
          public void onUpstreamFinish() {
            ended.complete(Done.getInstance());
            completeStage();
          }

          @Override
          public void onUpstreamFailure(Throwable ex) {
            ended.completeExceptionally(ex);
            failStage(ex);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(in);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            draining = true;
            if (!hasBeenPulled(in) && !isClosed(in)) {
              pull(in);
            }
          }
        });
      }

      @Override
      public void postStop() {
        // Stopped from outside (the system terminating): nothing more will come.
        ended.complete(Done.getInstance());
      }
    };
    return Pair.create(logic, ended);
  }
}
