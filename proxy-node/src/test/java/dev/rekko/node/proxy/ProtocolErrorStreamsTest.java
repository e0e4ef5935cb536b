package dev.rekko.node.proxy;

/** {@link ProtocolErrorTest} on the Streams transport. */
@OnStreams
class ProtocolErrorStreamsTest extends ProtocolErrorTest {
}
