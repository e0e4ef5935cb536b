package dev.rekko.node.demo;

import java.io.IOException;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * An in-process stand-in for a demo node: {@link PongServer} on the spec's RESP port and
 * {@link TopologyStub} on its HTTP port. Tests decide its topology answers and can make it "exit".
 */
public final class StubNode implements DemoNode {
  private final NodeSpec spec;
  private final PongServer resp;
  private final TopologyStub http;
  private volatile OptionalInt exitCode = OptionalInt.empty();
  private volatile String logTail = "";
  private volatile boolean closed;

  private StubNode(NodeSpec spec, PongServer resp, TopologyStub http) {
    this.spec = spec;
    this.resp = resp;
    this.http = http;
  }

  /**
   * A starter of stubs answering {@code answers.apply(spec)}; every stub started is added to
   * {@code started}.
   */
  public static Starter starter(List<StubNode> started, Function<NodeSpec, TopologyStub.Answer[]> answers) {
    return spec -> {
      PongServer resp = PongServer.start(Integer.parseInt(spec.settings().get("rekko.proxy.port")));
      TopologyStub http = TopologyStub.start(Integer.parseInt(spec.settings().get("rekko.admin.port")),
          answers.apply(spec));
      StubNode node = new StubNode(spec, resp, http);
      started.add(node);
      return node;
    };
  }

  /** Stubs that are ready at once, as {@code nodes} nodes of one cluster at epoch 1. */
  public static Starter ready(List<StubNode> started, int nodes) {
    return starter(started, spec -> new TopologyStub.Answer[] {
        TopologyStub.Answer.json(TopologyJson.ready(nodes, 1))});
  }

  public NodeSpec spec() {
    return spec;
  }

  public TopologyStub http() {
    return http;
  }

  /** From now on the node reports that it ended with {@code code}, having written {@code output}. */
  public void exit(int code, String output) {
    logTail = output;
    exitCode = OptionalInt.of(code);
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public OptionalInt exitCode() {
    return exitCode;
  }

  @Override
  public String logTail() {
    return logTail;
  }

  @Override
  public void close() {
    closed = true;
    http.close();
    try {
      resp.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
