package dev.rekko.node.proxy;

/** {@link PubSubFloodTest} on the Streams transport. */
@OnStreams
class PubSubFloodStreamsTest extends PubSubFloodTest {
}
