package dev.rekko.node.proxy;

/** {@link PipelineTest} on the Streams transport. */
@OnStreams
class PipelineStreamsTest extends PipelineTest {
}
