package dev.rekko.node.proxy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class's fixtures on the Streams transport ({@code rekko.proxy.transport = streams}): a
 * subclass of a data-path test annotated with it runs every test of its parent against the Streams
 * transport, the parent itself against NIO. The callback runs before the parent's {@code @BeforeAll}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(OnStreams.Transport.class)
@interface OnStreams {

  /** Sets {@link ProxyFixture#transport} for the class, and puts it back after. */
  final class Transport implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(Transport.class);

    @Override
    public void beforeAll(ExtensionContext context) {
      context.getStore(NS).put("before", ProxyFixture.transport);
      ProxyFixture.transport = "streams";
    }

    @Override
    public void afterAll(ExtensionContext context) {
      ProxyFixture.transport = context.getStore(NS).getOrDefault("before", String.class, "");
    }
  }
}
