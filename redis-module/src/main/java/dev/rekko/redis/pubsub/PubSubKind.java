package dev.rekko.redis.pubsub;

import java.nio.charset.StandardCharsets;

/**
 * The three namespaces of Redis pub/sub, with the words Redis uses for each: the command that
 * subscribes, the one that unsubscribes (their confirmation frames carry the same word in lower case)
 * and the first element of a delivered message.
 */
public enum PubSubKind {
  /** SUBSCRIBE / PUBLISH: a channel, matched exactly. */
  CHANNEL("subscribe", "unsubscribe", "message"),
  /** PSUBSCRIBE: a glob-style pattern over channel names. */
  PATTERN("psubscribe", "punsubscribe", "pmessage"),
  /** SSUBSCRIBE / SPUBLISH (Redis 7): a shard channel, living on its slot's master. */
  SHARD("ssubscribe", "sunsubscribe", "smessage");

  private final String subscribe;
  private final String unsubscribe;
  private final String message;
  private final byte[] subscribeBytes;
  private final byte[] unsubscribeBytes;

  PubSubKind(String subscribe, String unsubscribe, String message) {
    this.subscribe = subscribe;
    this.unsubscribe = unsubscribe;
    this.message = message;
    this.subscribeBytes = subscribe.getBytes(StandardCharsets.US_ASCII);
    this.unsubscribeBytes = unsubscribe.getBytes(StandardCharsets.US_ASCII);
  }

  /** The subscribing command, lower case, as its confirmation frames name it. */
  public String subscribe() {
    return subscribe;
  }

  public String unsubscribe() {
    return unsubscribe;
  }

  /** The first element of a message of this kind: message, pmessage or smessage. */
  public String message() {
    return message;
  }

  public byte[] subscribeBytes() {
    return subscribeBytes;
  }

  public byte[] unsubscribeBytes() {
    return unsubscribeBytes;
  }

  /** The kind whose delivered messages start with {@code word}; null for any other word. */
  public static PubSubKind ofMessage(String word) {
    return switch (word) {
      case "message" -> CHANNEL;
      case "pmessage" -> PATTERN;
      case "smessage" -> SHARD;
      default -> null;
    };
  }

  /** Whether {@code word} starts a (un)subscribe confirmation frame. */
  public static boolean isConfirmation(String word) {
    return switch (word) {
      case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe" -> true;
      default -> false;
    };
  }
}
