package dev.rekko.redis.migrate;

import java.util.Objects;

/**
 * How the mover logs in: on its own connections to the source, and — passed along inside MIGRATE — on
 * the source's connection to each target. Rekko uses one backend password for every server, so one
 * pair serves both. An empty password means no AUTH; an empty user with a password means the
 * {@code default} user ({@code AUTH pw}), a user means an ACL login ({@code AUTH user pw}, and
 * {@code AUTH2 user pw} inside MIGRATE).
 */
public record Credentials(String user, String password) {
  public static final Credentials NONE = new Credentials("", "");

  public Credentials {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
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
    return present() ? "Credentials[" + (user.isEmpty() ? "default" : user) + ", ***]" : "Credentials[none]";
  }
}
