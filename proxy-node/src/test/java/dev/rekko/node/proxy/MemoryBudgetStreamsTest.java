package dev.rekko.node.proxy;

/** {@link MemoryBudgetTest} on the Streams transport. */
@OnStreams
class MemoryBudgetStreamsTest extends MemoryBudgetTest {
}
