package dev.rekko.node.cluster;

/** Marks the lease messages that cross the network between nodes (jackson-cbor, see reference.conf). */
public interface LeaseSerializable {}
