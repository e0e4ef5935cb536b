package dev.rekko.node.proxy;

/** {@link ClientBackpressureTest} on the Streams transport. */
@OnStreams
class ClientBackpressureStreamsTest extends ClientBackpressureTest {
}
