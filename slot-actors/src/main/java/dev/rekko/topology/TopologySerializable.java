package dev.rekko.topology;

/**
 * Marker for everything in this package that crosses the wire or lands in the durable store: it is bound
 * to Pekko's {@code jackson-cbor} serializer in this module's {@code reference.conf}. Without that binding
 * the values inside the Distributed Data maps could be neither replicated nor written to LMDB.
 */
public interface TopologySerializable {}
