package dev.rekko.redis.backend;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in front of a server whose connections can be frozen as a network partition freezes them:
 * a stalled pipe keeps what the client sends instead of forwarding it, forwards nothing back, and does not
 * pass a close on in either direction. Released, it delivers what it kept, as a network that heals
 * does, and tells whether the server answered it or had closed that connection meanwhile. New
 * connections always pass.
 */
final class StallProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int upstreamPort;
  private final List<Pipe> pipes = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  StallProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("stall-proxy-accept", this::accept);
  }

  BackendAddress address() {
    return new BackendAddress("127.0.0.1", listener.getLocalPort());
  }

  /** Freezes every connection open now. */
  void stallAll() {
    pipes.forEach(p -> p.stalled = true);
  }

  /**
   * Delivers what the stalled connections kept and waits until the server has either answered it or
   * closed the connection: true if any server answered what it was given late.
   */
  boolean release(Duration wait) throws InterruptedException {
    boolean answered = false;
    for (Pipe p : pipes) {
      if (p.stalled) {
        answered |= p.release(wait);
      }
    }
    return answered;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress("127.0.0.1", upstreamPort), 5_000);
        Pipe p = new Pipe(client, upstream);
        pipes.add(p);
        daemon("stall-proxy-up", p::up);
        daemon("stall-proxy-down", p::down);
      } catch (IOException e) {
        if (!closed) {
          System.err.println("stall proxy: " + e);
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    pipes.forEach(Pipe::close);
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private static final class Pipe {
    final Socket client;
    final Socket upstream;
    volatile boolean stalled;
    final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    volatile long lateAnswerBytes;
    volatile boolean released;
    volatile boolean upstreamClosed;

    Pipe(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    /** Client to server. */
    void up() {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = client.getInputStream()) {
        OutputStream out = upstream.getOutputStream();
        int n;
        while ((n = in.read(buf)) > 0) {
          synchronized (this) {
            if (stalled) {
              kept.write(buf, 0, n);
            } else {
              out.write(buf, 0, n);
            }
          }
        }
      } catch (IOException ignored) {
        // the client went away
      }
      if (!stalled) {
        close();
      }
    }

    /** Server to client. */
    void down() {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = upstream.getInputStream()) {
        OutputStream out = client.getOutputStream();
        int n;
        while ((n = in.read(buf)) > 0) {
          if (released) {
            lateAnswerBytes += n;
          } else if (!stalled) {
            out.write(buf, 0, n);
          }
        }
      } catch (IOException ignored) {
        // the server or the client went away
      }
      upstreamClosed = true;
      if (!stalled) {
        close();
      }
    }

    boolean release(Duration wait) throws InterruptedException {
      synchronized (this) {
        released = true;
        try {
          upstream.getOutputStream().write(kept.toByteArray());
        } catch (IOException e) {
          return false;
        }
      }
      long deadline = System.nanoTime() + wait.toNanos();
      while (lateAnswerBytes == 0 && !upstreamClosed && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      return lateAnswerBytes > 0;
    }

    void close() {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      try {
        upstream.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
