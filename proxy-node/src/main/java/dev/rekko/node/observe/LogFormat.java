package dev.rekko.node.observe;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.rekko.node.config.ObserveSettings;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code rekko.log.format} and the node's address on every line. The node's {@code logback.xml} has two
 * console appenders, {@code text} and {@code json} (logback's {@code JsonEncoder}), and the root logger
 * uses the one named by the logger context's property {@code rekko.log.format}, else the
 * {@code REKKO_LOG_FORMAT} environment variable, else {@code text}: so the first lines of a process
 * already follow the variable. The {@code node} command then {@link #use}s the setting as read with all
 * its sources (a config file, {@code -D}), which reconfigures logback when it differs.
 */
public final class LogFormat {
  /** The logger-context property the appender is chosen by. */
  public static final String PROPERTY = "rekko.log.format";
  /** The logger-context property with the node's cluster address: {@code context.properties.node} in JSON. */
  public static final String NODE = "node";

  private LogFormat() {}

  /**
   * Logs in {@code format} from now on. Does nothing when logback is not configured by the node's
   * {@code logback.xml} (tests, or an application that embeds the node with its own configuration).
   */
  public static void use(ObserveSettings.LogFormat format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    String name = format.name().toLowerCase(Locale.ROOT);
    ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    if (root.getAppender(name) != null || !nodesConfiguration(ctx, root)) {
      return;
    }
    String node = ctx.getProperty(NODE);
    ctx.reset();
    ctx.putProperty(PROPERTY, name);
    if (node != null) {
      ctx.putProperty(NODE, node);
    }
    try {
      new ContextInitializer(ctx).autoConfig();
    } catch (JoranException e) {
      System.err.println("rekko-node: configuring logback for " + PROPERTY + " = " + name + " failed: " + e);
    }
  }

  /** Every line logged from now on carries {@code address} (a logger-context property, not a thread's MDC). */
  public static void node(String address) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.putProperty(NODE, address);
    }
  }

  /** Whether logback runs the node's logback.xml: one of its two appenders is in use, or none is (a bad variable). */
  private static boolean nodesConfiguration(LoggerContext ctx, ch.qos.logback.classic.Logger root) {
    return root.getAppender("text") != null || root.getAppender("json") != null || !root.iteratorForAppenders().hasNext()
        && ctx.getLoggerList().stream().noneMatch(l -> l.iteratorForAppenders().hasNext());
  }
}
