package dev.rekko.protocol.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Throughput of the request path: 1M pipelined {@code SET key:N <64-byte value>} / {@code GET key:N}
 * commands decoded from 16 KiB chunks, alone, then with each command re-encoded by
 * {@link RespWriter#writeCommand}, then with each frame forwarded raw; and the replies to such a
 * pipeline ({@code +OK}, 64-byte bulks) through {@link ReplyDecoder}. A plain harness, not a test.
 *
 * <p>Run from the repository root:
 *
 * <pre>
 * ./mvnw -q -pl protocol test-compile
 * java -Xmx2g -cp protocol/target/classes:protocol/target/test-classes dev.rekko.protocol.resp.CodecBench
 * </pre>
 *
 * or, inside Maven's JVM: {@code ./mvnw -q -pl protocol test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=dev.rekko.protocol.resp.CodecBench}.
 *
 * Optional arguments: command count, chunk size, measured rounds.
 */
public final class CodecBench {
  private CodecBench() {}

  public static void main(String[] args) {
    int commands = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int chunkSize = args.length > 1 ? Integer.parseInt(args[1]) : 16 * 1024;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;

    byte[] input = pipeline(commands);
    // Separate arrays, as reads from a socket would be; built once, since commands may reference them.
    List<byte[]> chunks = new ArrayList<>();
    for (int off = 0; off < input.length; off += chunkSize) {
      chunks.add(java.util.Arrays.copyOfRange(input, off, Math.min(input.length, off + chunkSize)));
    }
    System.out.printf("%,d commands, %,d bytes, %,d chunks of %,d bytes%n",
        commands, input.length, chunks.size(), chunkSize);

    RespWriter out = new RespWriter(128 * 1024);
    String[] modes = {"decode", "decode+writeCommand", "decode+forward frame"};
    for (int mode = 0; mode < modes.length; mode++) {
      for (int i = 0; i < 5; i++) {
        run(mode, chunks, out, commands);
      }
      long best = Long.MAX_VALUE;
      long total = 0;
      for (int i = 0; i < rounds; i++) {
        long t = run(mode, chunks, out, commands);
        best = Math.min(best, t);
        total += t;
      }
      report(modes[mode], "commands/s", commands, input.length, total / (double) rounds, best);
    }

    byte[] replies = replies(commands);
    List<byte[]> replyChunks = new ArrayList<>();
    for (int off = 0; off < replies.length; off += chunkSize) {
      replyChunks.add(java.util.Arrays.copyOfRange(replies, off, Math.min(replies.length, off + chunkSize)));
    }
    for (int i = 0; i < 5; i++) {
      runReplies(replyChunks, commands);
    }
    long best = Long.MAX_VALUE;
    long total = 0;
    for (int i = 0; i < rounds; i++) {
      long t = runReplies(replyChunks, commands);
      best = Math.min(best, t);
      total += t;
    }
    report("reply decode", "replies/s", commands, replies.length, total / (double) rounds, best);
  }

  private static void report(String what, String unit, int frames, int bytes, double meanNanos, long bestNanos) {
    double mean = meanNanos / 1e9;
    System.out.printf("%-22s mean %6.1f ms: %,12.0f %-10s %8.1f MB/s   (best %6.1f ms)%n", what, mean * 1e3,
        frames / mean, unit, bytes / mean / 1e6, bestNanos / 1e6);
  }

  /** Decodes the replies to that pipeline ({@code +OK} and 64-byte bulks) once; returns the elapsed nanoseconds. */
  private static long runReplies(List<byte[]> chunks, int expected) {
    long start = System.nanoTime();
    ReplyDecoder decoder = new ReplyDecoder();
    int count = 0;
    long checksum = 0;
    for (byte[] chunk : chunks) {
      decoder.feed(chunk, 0, chunk.length);
      for (Reply r; (r = decoder.next()) != null; ) {
        count++;
        checksum += r.frameLength();
      }
    }
    long elapsed = System.nanoTime() - start;
    if (count != expected || checksum == 42) {
      throw new AssertionError("decoded " + count + " of " + expected);
    }
    return elapsed;
  }

  /** Decodes everything once; returns the elapsed nanoseconds. */
  private static long run(int mode, List<byte[]> chunks, RespWriter out, int expected) {
    long start = System.nanoTime();
    RequestDecoder decoder = new RequestDecoder();
    int count = 0;
    long checksum = 0;
    for (byte[] chunk : chunks) {
      decoder.feed(chunk, 0, chunk.length);
      for (Command c; (c = decoder.next()) != null; ) {
        count++;
        switch (mode) {
          case 0 -> checksum += c.length(c.argc() - 1);
          case 1 -> out.writeCommand(c);
          default -> c.writeTo(out);
        }
        // As if flushed to the socket every 64 KiB.
        if (out.length() > 64 * 1024) {
          checksum += out.length();
          out.reset();
        }
      }
    }
    long elapsed = System.nanoTime() - start;
    if (count != expected || checksum == 42) {
      throw new AssertionError("decoded " + count + " of " + expected);
    }
    out.reset();
    return elapsed;
  }

  private static byte[] replies(int commands) {
    RespWriter w = new RespWriter(commands * 50);
    byte[] value = "v".repeat(64).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < commands; i++) {
      if (i % 2 == 0) {
        w.writeSimpleString("OK");
      } else {
        w.writeBulk(value);
      }
    }
    return w.toByteArray();
  }

  private static byte[] pipeline(int commands) {
    RespWriter w = new RespWriter(commands * 100);
    byte[] value = "v".repeat(64).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < commands; i++) {
      byte[] key = ("key:" + (i / 2)).getBytes(StandardCharsets.US_ASCII);
      if (i % 2 == 0) {
        w.writeCommand("SET".getBytes(StandardCharsets.US_ASCII), key, value);
      } else {
        w.writeCommand("GET".getBytes(StandardCharsets.US_ASCII), key);
      }
    }
    return w.toByteArray();
  }
}
