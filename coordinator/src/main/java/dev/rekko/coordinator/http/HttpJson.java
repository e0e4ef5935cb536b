package dev.rekko.coordinator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** JSON responses of the HTTP API: bodies via Jackson, errors as {@code {"error": "..."}}. */
public final class HttpJson {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private HttpJson() {}

  public static HttpResponse ok(Object body) {
    return response(StatusCodes.OK, body);
  }

  public static HttpResponse response(StatusCode status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + body.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static HttpResponse error(StatusCode status, String message) {
    return response(status, Map.of("error", message));
  }

  /** Pekko's built-in rejection responses are plain text; keep their status and headers, say it in JSON. */
  public static HttpResponse asJsonError(HttpResponse response) {
    String message = response.entity() instanceof HttpEntity.Strict strict
        ? strict.getData().utf8String()
        : response.status().reason();
    return error(response.status(), message).withHeaders(response.getHeaders());
  }
}
