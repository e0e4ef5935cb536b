package dev.rekko.node.proxy;

/** {@link PreAuthLimitsTest} on the Streams transport. */
@OnStreams
class PreAuthLimitsStreamsTest extends PreAuthLimitsTest {
}
