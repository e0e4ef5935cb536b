package dev.rekko.node.proxy;

/** {@link BlockingCommandsTest} on the Streams transport. */
@OnStreams
class BlockingCommandsStreamsTest extends BlockingCommandsTest {
}
