package dev.rekko.node.proxy;

/** {@link TransactionTest} on the Streams transport. */
@OnStreams
class TransactionStreamsTest extends TransactionTest {
}
