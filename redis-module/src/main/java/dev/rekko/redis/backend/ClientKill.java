package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Ends connections of ours on a server, over a short-lived connection of its own:
 * {@code CLIENT KILL ID id ADDR addr} for each, pipelined. Redis frees a killed client at once (or marks
 * it to be closed before it runs another command), so once the server has answered, 1 or 0 killed, that
 * connection runs nothing more; whatever it ran, it ran before the answer.
 *
 * <p>CLIENT KILL is not a write: a server paused with {@code CLIENT PAUSE … WRITE} still runs it (and the
 * killed client's postponed writes never run). A server that answers nothing — {@code CLIENT PAUSE … ALL},
 * {@code DEBUG SLEEP}, a busy script, a partition — leaves the kill unanswered; it then fails after the
 * connect timeout, and the caller must keep waiting rather than assume the connection is gone.
 */
final class ClientKill {
  private ClientKill() {}

  static CompletableFuture<Void> run(BackendIo io, BackendAddress server, BackendOptions options,
      List<ServerClient> clients) {
    for (ServerClient c : clients) {
      if (!c.known()) {
        return CompletableFuture.failedFuture(new DrainException("backend " + server + ": commands sent on " + c
            + " may still run, and it cannot be killed without its id"));
      }
    }
    // The whole exchange is bounded by the connect timeout: a kill is answered at once or not at all.
    BackendConnection conn = new BackendConnection(io, server, 0, options.withReceiveTimeout(options.connectTimeout()));
    List<CompletableFuture<Void>> each = new ArrayList<>();
    for (ServerClient c : clients) {
      CompletableFuture<Void> killed = new CompletableFuture<>();
      byte[] command = Handshake.encode(c.killCommand());
      conn.send(command, 0, command.length, new ReplyHandler() {
        @Override
        public void onReply(Reply reply) {
          if (reply.value() instanceof RespValue.Integer) {
            killed.complete(null);
          } else {
            killed.completeExceptionally(new DrainException("backend " + server + ": CLIENT KILL of " + c
                + " answered " + Handshake.errorText(reply)));
          }
        }

        @Override
        public void onFailure(String error) {
          killed.completeExceptionally(new DrainException("backend " + server + ": cannot confirm that " + c
              + " is gone: " + error));
        }
      });
      each.add(killed);
    }
    conn.flush();
    CompletableFuture<Void> all = CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
    all.whenComplete((done, error) -> conn.close());
    return all;
  }
}
