package dev.rekko.topology;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * A fixed 20-byte form of {@link SlotInfo}, bound in this module's {@code reference.conf}. The Replicator
 * serializes a whole slot map (64 entries) for every durable store, digest and full-state gossip of it, so
 * during a migration of 1024 slots SlotInfo is serialized about a million times; through jackson-cbor
 * that was the largest part of the Replicator's CPU. Entries stored by jackson-cbor earlier stay readable:
 * each stored value names its serializer.
 *
 * <p>Layout (big-endian): format byte (1), slot id (short), state code (byte), group (int), target (int),
 * epoch (long). State codes are fixed here, not taken from the enum's order.
 */
public final class SlotInfoSerializer extends SerializerWithStringManifest {
  static final int IDENTIFIER = 741_001;
  private static final String MANIFEST = "S";
  private static final byte FORMAT = 1;
  private static final int SIZE = 1 + 2 + 1 + 4 + 4 + 8;
  private static final SlotState[] BY_CODE = {
      SlotState.OFFLINE, SlotState.ONLINE, SlotState.PENDING, SlotState.PREPARING, SlotState.BARRIER,
      SlotState.MIGRATING, SlotState.FINISHED};

  public SlotInfoSerializer(ExtendedActorSystem system) {}

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return MANIFEST;
  }

  @Override
  public byte[] toBinary(Object o) {
    if (!(o instanceof SlotInfo s)) {
      throw new IllegalArgumentException("not a SlotInfo: " + o.getClass().getName());
    }
    return ByteBuffer.allocate(SIZE).put(FORMAT).putShort((short) s.id()).put(code(s.state()))
        .putInt(s.group()).putInt(s.target()).putLong(s.epoch()).array();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    if (!MANIFEST.equals(manifest) || bytes.length != SIZE || bytes[0] != FORMAT) {
      throw new NotSerializableException("not a SlotInfo in format " + FORMAT + " (manifest '" + manifest
          + "', " + bytes.length + " bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 1, SIZE - 1);
    int id = b.getShort();
    int code = b.get();
    if (code < 0 || code >= BY_CODE.length) {
      throw new NotSerializableException("unknown slot state code " + code);
    }
    return new SlotInfo(id, BY_CODE[code], b.getInt(), b.getInt(), b.getLong());
  }

  private static byte code(SlotState state) {
    for (int i = 0; i < BY_CODE.length; i++) {
      if (BY_CODE[i] == state) {
        return (byte) i;
      }
    }
    throw new IllegalArgumentException("no code for slot state " + state);
  }
}
