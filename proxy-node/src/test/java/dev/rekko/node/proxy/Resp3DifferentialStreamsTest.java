package dev.rekko.node.proxy;

/** {@link Resp3DifferentialTest} on the Streams transport. */
@OnStreams
class Resp3DifferentialStreamsTest extends Resp3DifferentialTest {
}
