package dev.rekko.redis.migrate;

import dev.rekko.redis.tls.BackendTls;
import java.util.Objects;

/**
 * How the mover logs in: on its own connections to the source, and — passed along inside MIGRATE — on
 * the source's connection to each target. Rekko uses one backend password for every server, so one
 * pair serves both. An empty password means no AUTH; an empty user with a password means the
 * {@code default} user ({@code AUTH pw}), a user means an ACL login ({@code AUTH user pw}, and
 * {@code AUTH2 user pw} inside MIGRATE).
 *
 * <p>{@code tls}: the mover's own connections speak TLS ({@code rekko.backend.tls}; null: plain TCP). It
 * does not reach inside MIGRATE: the source's connection to the target is the source's own, TLS only with
 * {@code tls-cluster yes} on the source (see the module README).
 */
public record Credentials(String user, String password, BackendTls tls) {
  public static final Credentials NONE = new Credentials("", "");

  public Credentials {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** Plain TCP. */
  public Credentials(String user, String password) {
    this(user, password, null);
  }

  /** The same login over TLS (null: plain TCP). */
  public Credentials withTls(BackendTls tls) {
    return new Credentials(user, password, tls);
  }

  public static Credentials password(String password) {
    return new Credentials("", password);
  }

  public boolean present() {
    return !password.isEmpty();
  }

  /** Passwords stay out of logs and exception messages. */
  @Override
  public String toString() {
    String login = present() ? (user.isEmpty() ? "default" : user) + ", ***" : "none";
    return "Credentials[" + login + (tls == null ? "" : ", TLS") + "]";
  }
}
