package dev.rekko.node.proxy;

/** {@link ClientTlsTest} with the plain port on the Streams transport (the TLS port is the same either way). */
@OnStreams
class ClientTlsStreamsTest extends ClientTlsTest {
}
