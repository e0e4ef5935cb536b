package dev.rekko.redis.pubsub;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.ReplyDecoder;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendOptions;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The blocking-socket steps of a {@link SubscriberConnection}: its handshake and reading one frame. */
final class SubscriberSocket {
  private SubscriberSocket() {}

  /** AUTH (which must succeed) and CLIENT SETNAME (which may not: an ACL may refuse it). */
  static void handshake(Socket s, InputStream in, ReplyDecoder decoder, BackendOptions options)
      throws IOException {
    s.setSoTimeout((int) Math.max(1, options.receiveTimeout().toMillis()));
    RespWriter w = new RespWriter(128);
    boolean auth = !options.password().isEmpty();
    if (auth) {
      w.writeCommand(options.user().isEmpty() ? new byte[][] {ascii("AUTH"), utf8(options.password())}
          : new byte[][] {ascii("AUTH"), utf8(options.user()), utf8(options.password())});
    }
    w.writeCommand(ascii("CLIENT"), ascii("SETNAME"), ascii(SubscriberConnection.CLIENT_NAME));
    OutputStream o = s.getOutputStream();
    o.write(w.array(), 0, w.length());
    o.flush();
    if (auth) {
      Reply r = readFrame(in, decoder);
      if (r.isError()) {
        throw new IOException("AUTH failed: " + r);
      }
    }
    readFrame(in, decoder);
    s.setSoTimeout((int) Math.max(1, options.pingPeriod().toMillis()));
  }

  static Reply readFrame(InputStream in, ReplyDecoder decoder) throws IOException {
    byte[] buf = new byte[1024];
    Reply r;
    while ((r = decoder.next()) == null) {
      int n = in.read(buf);
      if (n < 0) {
        throw new EOFException("closed by the server");
      }
      decoder.feed(java.util.Arrays.copyOf(buf, n));
    }
    return r;
  }

  static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code command} for {@code names}, as commands of at most {@code batch} names each. */
  static RespWriter commands(String command, List<String> names, int batch) {
    RespWriter w = new RespWriter(64 + 24 * Math.min(names.size(), batch));
    byte[] verb = ascii(command.toUpperCase(java.util.Locale.ROOT));
    for (int from = 0; from < names.size(); from += batch) {
      int to = Math.min(names.size(), from + batch);
      byte[][] argv = new byte[to - from + 1][];
      argv[0] = verb;
      for (int i = from; i < to; i++) {
        argv[i - from + 1] = names.get(i).getBytes(StandardCharsets.ISO_8859_1);
      }
      w.writeCommand(argv);
    }
    return w;
  }
}
