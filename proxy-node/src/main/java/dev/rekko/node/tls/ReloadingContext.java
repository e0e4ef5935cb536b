package dev.rekko.node.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link SSLContext} built from PEM files and built again when one of them changes on disk (its
 * modification time or size), so that a rotated certificate serves the next connection without a
 * restart. Checked when a connection starts: a few {@code stat} calls per connection, nothing per
 * request. A change that cannot be read (a file half written, a key not yet replaced) keeps the previous
 * context, with a warning, until the files change again.
 */
public final class ReloadingContext {
  private static final Logger log = LoggerFactory.getLogger(ReloadingContext.class);

  /** Builds the context from the files. */
  @FunctionalInterface
  public interface Loader {
    SSLContext load() throws IOException, GeneralSecurityException;
  }

  private record Loaded(List<Object> stamps, SSLContext context) {}

  private final String what;
  private final List<Path> files;
  private final Loader loader;
  private volatile Loaded loaded;

  private ReloadingContext(String what, List<Path> files, Loader loader, Loaded first) {
    this.what = what;
    this.files = List.copyOf(files);
    this.loader = loader;
    this.loaded = first;
  }

  /**
   * Loads the context now.
   *
   * @param what  the leg it serves, for the log ("admin HTTPS", "cluster TLS")
   * @param files the files {@code loader} reads, watched for changes
   */
  public static ReloadingContext open(String what, List<Path> files, Loader loader)
      throws IOException, GeneralSecurityException {
    List<Object> stamps = stamps(files);
    return new ReloadingContext(what, files, loader, new Loaded(stamps, loader.load()));
  }

  /** The context for a new connection: the files' current one. */
  public SSLContext current() {
    Loaded l = loaded;
    List<Object> now = stamps(files);
    if (now == null || now.equals(l.stamps())) {
      return l.context();
    }
    synchronized (this) {
      if (loaded != l) {
        return loaded.context();
      }
      try {
        loaded = new Loaded(now, loader.load());
        log.info("{}: certificate files changed; new connections use them", what);
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        loaded = new Loaded(now, l.context());
        log.warn("{}: certificate files changed but cannot be used ({}); keeping the previous ones until "
            + "they change again", what, e.getMessage());
      }
      return loaded.context();
    }
  }

  /** Modification time and size of each file; null while one is missing (being replaced). */
  private static List<Object> stamps(List<Path> files) {
    List<Object> stamps = new ArrayList<>(files.size() * 2);
    try {
      for (Path f : files) {
        stamps.add(Files.getLastModifiedTime(f));
        stamps.add(Files.size(f));
      }
    } catch (IOException e) {
      return null;
    }
    return stamps;
  }
}
