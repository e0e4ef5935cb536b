package dev.rekko.node.proxy;

/** {@link ClientDisconnectTest} on the Streams transport. */
@OnStreams
class ClientDisconnectStreamsTest extends ClientDisconnectTest {
}
