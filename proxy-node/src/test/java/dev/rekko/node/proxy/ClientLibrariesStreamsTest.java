package dev.rekko.node.proxy;

/** {@link ClientLibrariesTest} on the Streams transport. */
@OnStreams
class ClientLibrariesStreamsTest extends ClientLibrariesTest {
}
