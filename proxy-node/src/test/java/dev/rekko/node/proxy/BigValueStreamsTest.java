package dev.rekko.node.proxy;

/** {@link BigValueTest} on the Streams transport. */
@OnStreams
class BigValueStreamsTest extends BigValueTest {
}
