package dev.rekko.coordinator.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The admin token rule: a mutating call runs only with {@code Authorization: Bearer <token>}. Missing
 * credentials answer 401 with {@code WWW-Authenticate: Bearer}, a wrong token 403. The check completes
 * the request itself, so a refused call never reaches the coordinator.
 */
final class TokenCheck extends AllDirectives {
  private static final String BEARER = "bearer ";

  /** SHA-256 of the token, or null when there is none to check. */
  private final byte[] expected;

  TokenCheck(String token) {
    this.expected = token.isEmpty() ? null : sha256(token);
  }

  Route mutating(Supplier<Route> inner) {
    if (expected == null) {
      return inner.get();
    }
    return optionalHeaderValueByName("Authorization", header -> {
      Optional<String> presented = header.flatMap(TokenCheck::bearerToken);
      if (presented.isEmpty()) {
        return complete(HttpJson.error(StatusCodes.UNAUTHORIZED, "this call needs Authorization: Bearer <token>")
            .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", Optional.of("rekko")))));
      }
      // Digests of equal length, compared in constant time: neither the token's content nor its length
      // can be learned from how long a refusal takes.
      if (!MessageDigest.isEqual(sha256(presented.get()), expected)) {
        return complete(HttpJson.error(StatusCodes.FORBIDDEN, "wrong admin token"));
      }
      return inner.get();
    });
  }

  private static Optional<String> bearerToken(String header) {
    String value = header.trim();
    if (value.length() <= BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String token = value.substring(BEARER.length()).trim();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
