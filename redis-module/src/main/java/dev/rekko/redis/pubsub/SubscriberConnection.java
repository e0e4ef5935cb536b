package dev.rekko.redis.pubsub;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.ReplyDecoder;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendOptions;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend connection in subscriber mode, shared by all of a node's subscribers of one server. It
 * keeps the set of channels, patterns and shard channels it is asked to hold, subscribes them on the
 * server, hands every message to its {@link Listener}, and on any failure reconnects with backoff
 * ({@code reconnect-backoff-min … max}) and subscribes the whole set again: what is published while it is
 * down is lost (Redis pub/sub is at-most-once anyway).
 *
 * <p>One platform thread with a blocking socket per connection: a node has only a few of them, and
 * messages arrive unasked, which the pipelined {@code BackendConnection} (every reply answers a command)
 * cannot take. The thread reads; callers write their (UN)SUBSCRIBE commands themselves under the lock,
 * so commands leave in the order the callers' decisions were made. A connection silent for
 * {@code ping-period} is sent a PING and dropped if still silent after another period. It speaks RESP2,
 * authenticates with the backend's user and password, and names itself {@value #CLIENT_NAME}.
 */
public final class SubscriberConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SubscriberConnection.class);
  /** Names per command when a whole set is (re)subscribed. */
  static final int BATCH = 256;
  /** What {@code CLIENT LIST} shows as these connections' name. */
  public static final String CLIENT_NAME = "rekko-pubsub";
  private static final byte[] PING = new RespWriter(16).writeCommand(SubscriberSocket.ascii("PING")).toByteArray();

  /** Receives messages on the connection's thread; must not block. */
  public interface Listener {
    /**
     * @param name  the channel (for {@code CHANNEL} and {@code SHARD}) or the subscribed pattern that
     *              matched (for {@code PATTERN}), one char per byte (ISO-8859-1)
     * @param frame the message frame exactly as Redis sent it in RESP2, a copy the listener may keep
     */
    void onMessage(PubSubKind kind, String name, byte[] frame);
  }

  private enum State { CONNECTING, UP, DOWN, CLOSED }

  private final BackendAddress server;
  private final BackendOptions options;
  private final Listener listener;
  private final Thread thread;
  private final Object lock = new Object();
  // Guarded by lock.
  private final Map<PubSubKind, LinkedHashSet<String>> wanted = new EnumMap<>(PubSubKind.class);
  private final Confirmations acks = new Confirmations();
  private final List<Runnable> untilUp = new ArrayList<>();
  private State state = State.CONNECTING;
  private Socket socket;
  private OutputStream out;
  // The reader thread's own.
  private boolean pingOutstanding;

  /** Starts connecting at once, on a thread of its own. */
  public SubscriberConnection(BackendAddress server, BackendOptions options, Listener listener) {
    this.server = server;
    this.options = options;
    this.listener = listener;
    for (PubSubKind k : PubSubKind.values()) {
      wanted.put(k, new LinkedHashSet<>());
    }
    this.thread = new Thread(this::run, "rekko-pubsub-" + server);
    thread.setDaemon(true);
    thread.start();
  }

  public BackendAddress server() {
    return server;
  }

  /** Connected, and the set it holds was sent. */
  public boolean isUp() {
    synchronized (lock) {
      return state == State.UP;
    }
  }

  /** How many names of {@code kind} it holds (subscribed, or to be once connected). */
  public int size(PubSubKind kind) {
    synchronized (lock) {
      return wanted.get(kind).size();
    }
  }

  /** It holds nothing. */
  public boolean idle() {
    synchronized (lock) {
      return wanted.values().stream().allMatch(java.util.Set::isEmpty);
    }
  }

  /**
   * Adds {@code names} to the set and subscribes them. {@code done} (may be null) runs once the server
   * confirmed them, or, when that cannot be known, as soon as the connection is found down (they are
   * subscribed again once it is back); on the connection's thread or the caller's.
   */
  public void subscribe(PubSubKind kind, Collection<String> names, Runnable done) {
    boolean now = false;
    synchronized (lock) {
      wanted.get(kind).addAll(names);
      switch (state) {
        case UP -> send(kind.subscribe(), names, done);
        case CONNECTING -> {
          if (done != null) {
            untilUp.add(done);
          }
        }
        default -> now = true;
      }
    }
    if (now && done != null) {
      done.run();
    }
  }

  /** Removes {@code names} from the set and unsubscribes them. */
  public void unsubscribe(PubSubKind kind, Collection<String> names) {
    synchronized (lock) {
      wanted.get(kind).removeAll(names);
      if (state == State.UP) {
        send(kind.unsubscribe(), names, null);
      }
    }
  }

  /** Drops the connection and stops reconnecting; callbacks still waiting run. */
  @Override
  public void close() {
    Socket s;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
      s = socket;
    }
    SubscriberSocket.closeQuietly(s);
    thread.interrupt();
  }

  /** Writes (UN)SUBSCRIBE commands of at most {@link #BATCH} names each; under the lock, while up. */
  private void send(String command, Collection<String> names, Runnable done) {
    if (names.isEmpty()) {
      if (done != null) {
        done.run();
      }
      return;
    }
    List<String> list = new ArrayList<>(names);
    RespWriter w = SubscriberSocket.commands(command, list, BATCH);
    for (int from = 0; from < list.size(); from += BATCH) {
      int to = Math.min(list.size(), from + BATCH);
      acks.expect(to - from, to == list.size() ? done : null);
    }
    try {
      out.write(w.array(), 0, w.length());
      out.flush();
    } catch (IOException e) {
      // The reader sees the closed socket, runs the callbacks and reconnects.
      log.debug("pub/sub connection to {}: write failed", server, e);
      SubscriberSocket.closeQuietly(socket);
    }
  }

  private void run() {
    long min = Math.max(1, options.reconnectBackoffMin().toMillis());
    long backoff = min;
    boolean wasUp = true;
    while (true) {
      synchronized (lock) {
        if (state == State.CLOSED) {
          return;
        }
        state = State.CONNECTING;
      }
      Socket s = null;
      String failure;
      try {
        s = open();
        InputStream in = s.getInputStream();
        ReplyDecoder decoder = new ReplyDecoder();
        SubscriberSocket.handshake(s, in, decoder, options);
        runAll(goUp(s));
        if (!wasUp) {
          log.info("pub/sub connection to {} is up again; its subscriptions were sent again", server);
        }
        wasUp = true;
        backoff = min;
        read(in, decoder);
        failure = "closed";
      } catch (IOException | RuntimeException e) {
        failure = e.toString();
      }
      boolean closing = runAll(goDown(s));
      if (closing) {
        return;
      }
      if (wasUp) {
        log.warn("pub/sub connection to {} failed ({}); retrying, messages published meanwhile are lost",
            server, failure);
      } else {
        log.debug("pub/sub connection to {} still failing: {}", server, failure);
      }
      wasUp = false;
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        // close() wakes the thread; the loop's top sees it.
      }
      backoff = Math.min(backoff * 2, Math.max(min, options.reconnectBackoffMax().toMillis()));
    }
  }

  private Socket open() throws IOException {
    Socket s = new Socket();
    synchronized (lock) {
      if (state == State.CLOSED) {
        throw new IOException("closed");
      }
      socket = s;
    }
    int connectMillis = (int) options.connectTimeout().toMillis();
    s.connect(new InetSocketAddress(server.host(), server.port()), connectMillis);
    s.setTcpNoDelay(true);
    s.setKeepAlive(true);
    if (options.tls() == null) {
      return s;
    }
    // close() may close the plain socket meanwhile, which ends the TLS handshake too.
    Socket tls = options.tls().handshake(s, server.host(), server.port(), connectMillis);
    synchronized (lock) {
      if (socket == s) {
        socket = tls;
      }
    }
    return tls;
  }

  /** Up: sends the whole set; callbacks waiting for the connection run once it is confirmed. */
  private List<Runnable> goUp(Socket s) throws IOException {
    synchronized (lock) {
      if (state == State.CLOSED) {
        throw new IOException("closed");
      }
      out = s.getOutputStream();
      state = State.UP;
      pingOutstanding = false;
      for (PubSubKind k : PubSubKind.values()) {
        send(k.subscribe(), wanted.get(k), null);
      }
      List<Runnable> waiting = new ArrayList<>(untilUp);
      untilUp.clear();
      if (waiting.isEmpty() || !acks.afterLast(() -> runAll(waiting))) {
        return waiting;
      }
      return List.of();
    }
  }

  /** Down: every callback still waiting runs now. Returns with them whether the connection was closed. */
  private List<Runnable> goDown(Socket s) {
    SubscriberSocket.closeQuietly(s);
    synchronized (lock) {
      List<Runnable> owed = new ArrayList<>(untilUp);
      untilUp.clear();
      acks.abandon(owed);
      // A connect that failed left its socket here only.
      SubscriberSocket.closeQuietly(socket);
      socket = null;
      out = null;
      if (state == State.CLOSED) {
        owed.add(null);
      } else {
        state = State.DOWN;
      }
      return owed;
    }
  }

  /** Runs the callbacks; a null entry marks a closed connection: true then. */
  private boolean runAll(List<Runnable> callbacks) {
    boolean closed = false;
    for (Runnable r : callbacks) {
      if (r == null) {
        closed = true;
      } else {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.error("pub/sub callback failed", e);
        }
      }
    }
    return closed;
  }

  private void read(InputStream in, ReplyDecoder decoder) throws IOException {
    byte[] buf = new byte[16 * 1024];
    while (true) {
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        if (pingOutstanding) {
          throw new IOException("no reply to PING for " + options.pingPeriod().toMillis() + " ms");
        }
        synchronized (lock) {
          if (out == null) {
            throw new IOException("closed");
          }
          out.write(PING);
          out.flush();
        }
        pingOutstanding = true;
        continue;
      }
      if (n < 0) {
        throw new EOFException("closed by the server");
      }
      pingOutstanding = false;
      decoder.feed(java.util.Arrays.copyOf(buf, n));
      Reply r;
      while ((r = decoder.next()) != null) {
        handle(r);
      }
    }
  }

  private void handle(Reply r) {
    if (r.isError()) {
      // A refused command (an ACL without the channel, …) answers with one error, not a frame per name.
      Runnable done;
      synchronized (lock) {
        done = acks.refused();
      }
      log.warn("pub/sub connection to {}: {}", server, r);
      if (done != null) {
        done.run();
      }
      return;
    }
    int[] head = PushFrames.bulks(r, 1);
    if (head == null) {
      return;
    }
    String word = PushFrames.latin1(r, head, 0);
    PubSubKind kind = PubSubKind.ofMessage(word);
    if (kind != null) {
      int[] b = PushFrames.bulks(r, 2);
      if (b != null) {
        try {
          listener.onMessage(kind, PushFrames.latin1(r, b, 1), r.toByteArray());
        } catch (RuntimeException e) {
          log.error("pub/sub listener failed on a message from {}", server, e);
        }
      }
    } else if (PubSubKind.isConfirmation(word)) {
      confirmed();
    }
  }

  private void confirmed() {
    Runnable done;
    synchronized (lock) {
      done = acks.confirmed();
    }
    if (done != null) {
      done.run();
    }
  }

  @Override
  public String toString() {
    return "SubscriberConnection[" + server + "]";
  }
}
