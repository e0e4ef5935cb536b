package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One {@code MIGRATE host port "" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] KEYS k…}, sent to
 * a source server: the mover's batches and a node's move of one command's keys both build it here, so
 * the two cannot drift apart (in the login form above all, which a target with a password refuses
 * silently as a failed MIGRATE).
 *
 * @param target        where the keys go
 * @param db            the database, on the target; the source's connection must have the same one
 *                      selected, since {@code MIGRATE} takes its keys from the connection's database
 * @param timeoutMillis the source's timeout for talking to the target
 * @param copy          leave the keys on the source
 * @param replace       overwrite keys the target has (never during a migration: see {@link #moving})
 * @param credentials   how the source logs in to the target: {@code AUTH pw} for the default user,
 *                      {@code AUTH2 user pw} for an ACL user, nothing without a password
 */
public record MigrateKeys(BackendAddress target, int db, long timeoutMillis, boolean copy, boolean replace,
    Credentials credentials) {
  private static final byte[] KEYS = bytes("KEYS");

  public MigrateKeys {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(credentials, "credentials");
  }

  /**
   * The move both Rekko's mover and its data path make: keys leave the source, and never with REPLACE.
   * During a migration a key the target holds is at least as new as the source's copy (once a key has
   * reached the target, every write goes there), so it must not be written over: the target answers
   * {@link MigrateReplies#BUSY_KEY} for it, the key stays on the source, and the caller deletes it there
   * once it has seen the target hold it. Without that rule a source whose replica was promoted before
   * it received the DEL of a moved key would write the key's old value back over the target's.
   */
  public static MigrateKeys moving(BackendAddress target, int db, long timeoutMillis, Credentials credentials) {
    return new MigrateKeys(target, db, timeoutMillis, false, false, credentials);
  }

  /** The command's arguments; {@code keys} are referenced, not copied. */
  public byte[][] argv(List<byte[]> keys) {
    int auth = !credentials.present() ? 0 : credentials.user().isEmpty() ? 2 : 3;
    byte[][] argv = new byte[6 + (copy ? 1 : 0) + (replace ? 1 : 0) + auth + 1 + keys.size()][];
    int i = 0;
    argv[i++] = bytes("MIGRATE");
    argv[i++] = bytes(target.host());
    argv[i++] = bytes(Integer.toString(target.port()));
    // The empty key selects the KEYS form.
    argv[i++] = new byte[0];
    argv[i++] = bytes(Integer.toString(db));
    argv[i++] = bytes(Long.toString(timeoutMillis));
    if (copy) {
      argv[i++] = bytes("COPY");
    }
    if (replace) {
      argv[i++] = bytes("REPLACE");
    }
    if (auth == 2) {
      argv[i++] = bytes("AUTH");
    } else if (auth == 3) {
      argv[i++] = bytes("AUTH2");
      argv[i++] = bytes(credentials.user());
    }
    if (auth > 0) {
      argv[i++] = bytes(credentials.password());
    }
    argv[i++] = KEYS;
    for (byte[] key : keys) {
      argv[i++] = key;
    }
    return argv;
  }

  /** The command as RESP, ready for a backend connection. */
  public byte[] encode(List<byte[]> keys) {
    byte[][] argv = argv(keys);
    int size = 16;
    for (byte[] a : argv) {
      size += a.length + 16;
    }
    return new RespWriter(size).writeCommand(argv).toByteArray();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
