package dev.rekko.slots;

/** Marker of the slot entity's messages: bound to {@code jackson-cbor} in {@code reference.conf}. */
public interface SlotSerializable {}
