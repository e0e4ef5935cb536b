package dev.rekko.redis.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the tests of a {@link BackendConnection} share: commands whose reply comes back as text, and waits. */
final class BackendCalls {
  private BackendCalls() {
  }

  /** Queues without flushing; the reply as RESP text without its last line end, or "failed: error". */
  static CompletableFuture<String> queue(BackendConnection c, boolean write, String... args) {
    CompletableFuture<String> reply = new CompletableFuture<>();
    byte[] command = Handshake.encode(args);
    c.send(command, 0, command.length, new ReplyHandler() {
      @Override
      public void onReply(Reply r) {
        reply.complete(new String(r.toByteArray(), StandardCharsets.UTF_8).stripTrailing());
      }

      @Override
      public void onFailure(String error) {
        reply.complete("failed: " + error);
      }
    }, write);
    return reply;
  }

  /** A read: queued without flushing, so that the caller's {@link BackendConnection#flush} sends a batch. */
  static CompletableFuture<String> queue(BackendConnection c, String... args) {
    return queue(c, false, args);
  }

  /** A read, queued and flushed. */
  static CompletableFuture<String> send(BackendConnection c, String... args) {
    CompletableFuture<String> reply = queue(c, args);
    c.flush();
    return reply;
  }

  /** Waits until the connection's handshake is done, so that what follows goes out at once. */
  static BackendConnection up(BackendConnection c, long seconds) throws InterruptedException {
    awaitTrue("connection up", seconds, c::isUp);
    return c;
  }

  /** Polls every 10 ms; fails naming {@code what} when the condition does not hold within {@code seconds}. */
  static void awaitTrue(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as(what).isNegative();
      Thread.sleep(10);
    }
  }
}
