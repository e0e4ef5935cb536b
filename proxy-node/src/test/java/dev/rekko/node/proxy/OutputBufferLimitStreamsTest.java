package dev.rekko.node.proxy;

/** {@link OutputBufferLimitTest} on the Streams transport. */
@OnStreams
class OutputBufferLimitStreamsTest extends OutputBufferLimitTest {
}
