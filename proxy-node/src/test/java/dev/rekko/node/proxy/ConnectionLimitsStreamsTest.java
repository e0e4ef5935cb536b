package dev.rekko.node.proxy;

/** {@link ConnectionLimitsTest} on the Streams transport. */
@OnStreams
class ConnectionLimitsStreamsTest extends ConnectionLimitsTest {
}
