package dev.rekko.node.proxy;

/** {@link QueryLimitsTest} on the Streams transport. */
@OnStreams
class QueryLimitsStreamsTest extends QueryLimitsTest {
}
