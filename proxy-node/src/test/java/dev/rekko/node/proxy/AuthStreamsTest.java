package dev.rekko.node.proxy;

/** {@link AuthTest} on the Streams transport. */
@OnStreams
class AuthStreamsTest extends AuthTest {
}
