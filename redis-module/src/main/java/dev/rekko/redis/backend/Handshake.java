package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The commands a backend connection sends on its own behalf when it (re)connects, pipelined in one write:
 * {@code AUTH}, {@code SELECT}, a {@code CLIENT KILL} for each earlier connection of its own that failed
 * with commands unanswered, and {@code CLIENT INFO} last. The connection carries no other command until
 * CLIENT INFO has answered: a command pipelined behind a failed AUTH or SELECT would run as the wrong
 * user or in the wrong database, and a command sent before the server named the connection could not be
 * stopped later (see {@link BackendConnection#drain}). Also the idle PING.
 */
final class Handshake {
  /** Earlier connections killed in one handshake at most; the rest wait for the next one or a drain. */
  static final int MAX_KILLS = 16;

  /** The idle PING, and the one behind which a drain waits. */
  static final byte[] PING = encode("PING");

  /** For commands whose reply nobody needs (the idle PING). */
  static final ReplyHandler IGNORE = new ReplyHandler() {
    @Override
    public void onReply(Reply reply) {}

    @Override
    public void onFailure(String error) {}
  };

  /** Completes {@code done} when the command is answered or fails, whatever the answer. */
  static ReplyHandler completing(CompletableFuture<Void> done) {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        done.complete(null);
      }

      @Override
      public void onFailure(String error) {
        done.complete(null);
      }
    };
  }

  /** What the handshake's replies tell the connection; called on the I/O thread. */
  interface Outcome {
    /** AUTH or SELECT failed: the connection must not carry a single command. */
    void refused(String reason);

    /** An earlier connection's CLIENT KILL was answered: it is gone from the server. */
    void gone(ServerClient earlier);

    /** CLIENT INFO answered, the last step: commands may go now. */
    void identified(ServerClient self);
  }

  /** One command of the handshake with the handler of its reply. */
  record Step(byte[] command, ReplyHandler handler) {}

  private Handshake() {}

  static List<Step> steps(BackendOptions options, int database, List<ServerClient> earlier, Outcome outcome) {
    return steps(options, database, 2, earlier, outcome);
  }

  /** As above; {@code protocol} 3 adds {@code HELLO 3} (after AUTH, so no credentials go in it). */
  static List<Step> steps(BackendOptions options, int database, int protocol, List<ServerClient> earlier,
      Outcome outcome) {
    List<Step> steps = new ArrayList<>();
    if (!options.password().isEmpty()) {
      steps.add(new Step(encode(options.user().isEmpty()
          ? new String[] {"AUTH", options.password()}
          : new String[] {"AUTH", options.user(), options.password()}), mustSucceed("AUTH", outcome)));
    }
    if (protocol == 3) {
      steps.add(new Step(encode("HELLO", "3"), mustSucceed("HELLO 3", outcome)));
    }
    if (database != 0) {
      steps.add(new Step(encode("SELECT", Integer.toString(database)), mustSucceed("SELECT", outcome)));
    }
    int kills = 0;
    for (ServerClient c : earlier) {
      if (c.known() && kills++ < MAX_KILLS) {
        steps.add(new Step(encode(c.killCommand()), killed(c, outcome)));
      }
    }
    steps.add(new Step(encode("CLIENT", "INFO"), identify(outcome)));
    return steps;
  }

  private static ReplyHandler mustSucceed(String command, Outcome outcome) {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        if (reply.isError()) {
          outcome.refused(command + " failed: " + errorText(reply));
        }
      }

      @Override
      public void onFailure(String error) {}
    };
  }

  /** An answer of 1 or 0 killed both mean the earlier connection runs nothing any more; an error changes nothing. */
  private static ReplyHandler killed(ServerClient earlier, Outcome outcome) {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        if (reply.value() instanceof RespValue.Integer) {
          outcome.gone(earlier);
        }
      }

      @Override
      public void onFailure(String error) {}
    };
  }

  /**
   * A server that refuses CLIENT INFO (an ACL without {@code client|info}) still serves: the connection
   * comes up without a known id, and only a drain that fails on it cannot be proven.
   */
  private static ReplyHandler identify(Outcome outcome) {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        RespValue v = reply.value();
        if (v instanceof RespValue.BulkString s) {
          outcome.identified(ServerClient.parse(s.utf8()));
        } else if (v instanceof RespValue.Verbatim t) {
          outcome.identified(ServerClient.parse(new String(t.text(), StandardCharsets.UTF_8)));
        } else {
          outcome.identified(ServerClient.unknown("CLIENT INFO answered " + (reply.isError() ? errorText(reply) : v)));
        }
      }

      @Override
      public void onFailure(String error) {}
    };
  }

  static String errorText(Reply reply) {
    return reply.value() instanceof RespValue.Error e ? e.message() : String.valueOf(reply.value());
  }

  static byte[] encode(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return new RespWriter(64).writeCommand(argv).toByteArray();
  }
}
