package dev.rekko.node.proxy;

/** {@link SessionCommandsTest} on the Streams transport. */
@OnStreams
class SessionCommandsStreamsTest extends SessionCommandsTest {
}
