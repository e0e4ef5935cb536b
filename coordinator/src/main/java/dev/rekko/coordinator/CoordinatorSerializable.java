package dev.rekko.coordinator;

/** Marker of the coordinator's messages and replies: bound to {@code jackson-cbor} in {@code reference.conf}. */
public interface CoordinatorSerializable {}
