package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The commands a backend connection sends on its own behalf: AUTH and SELECT on connect, PING when idle. */
final class Handshake {
  /** For commands whose reply nobody needs (the idle PING). */
  static final ReplyHandler IGNORE = new ReplyHandler() {
    @Override
    public void onReply(Reply reply) {}

    @Override
    public void onFailure(String error) {}
  };

  private Handshake() {}

  /** What goes first on every (re)connect, ahead of anything sessions queued meanwhile. */
  static List<String[]> commands(BackendOptions options, int database) {
    List<String[]> commands = new ArrayList<>();
    if (!options.password().isEmpty()) {
      commands.add(options.user().isEmpty()
          ? new String[] {"AUTH", options.password()}
          : new String[] {"AUTH", options.user(), options.password()});
    }
    if (database != 0) {
      commands.add(new String[] {"SELECT", Integer.toString(database)});
    }
    return commands;
  }

  /** A handler that reports an error reply to {@code onError} as "COMMAND failed: message". */
  static ReplyHandler checking(String command, Consumer<String> onError) {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        if (reply.isError()) {
          String msg = new String(reply.toByteArray(), StandardCharsets.UTF_8).strip();
          onError.accept(command + " failed: " + msg.substring(1));
        }
      }

      @Override
      public void onFailure(String error) {}
    };
  }

  static byte[] encode(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return new RespWriter(64).writeCommand(argv).toByteArray();
  }
}
