package dev.rekko.node.proxy;

/** {@link HalfCloseTest} on the Streams transport. */
@OnStreams
class HalfCloseStreamsTest extends HalfCloseTest {
}
