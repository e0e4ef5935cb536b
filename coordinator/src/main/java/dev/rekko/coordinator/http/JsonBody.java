package dev.rekko.coordinator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A request's JSON object, read field by field so that every mistake in it (not JSON, not an object, a
 * field missing or of the wrong type) becomes a 400 that names the field, never a 500.
 */
final class JsonBody {
  private final JsonNode root;

  private JsonBody(JsonNode root) {
    this.root = root;
  }

  /** A request that cannot be carried out as sent: answered 400 with this message. */
  static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  static JsonBody parse(String text) {
    if (text.isBlank()) {
      throw new Invalid("the request needs a JSON object as its body");
    }
    JsonNode root;
    try {
      root = HttpJson.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new Invalid("the body is not valid JSON: " + describe(e));
    }
    if (root == null || !root.isObject()) {
      throw new Invalid("the body must be a JSON object");
    }
    return new JsonBody(root);
  }

  /** Jackson's message without its source excerpt, which points into the server, not the request. */
  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    int cut = message.indexOf(" (start marker at");
    message = (cut < 0 ? message : message.substring(0, cut)).lines().findFirst().orElse("").strip();
    return e.getLocation() == null ? message
        : message + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  boolean has(String field) {
    JsonNode v = root.get(field);
    return v != null && !v.isNull();
  }

  long requiredLong(String field) {
    JsonNode v = required(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new Invalid("field '" + field + "' must be an integer, not " + v);
    }
    return v.longValue();
  }

  int requiredInt(String field) {
    JsonNode v = required(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new Invalid("field '" + field + "' must be an integer, not " + v);
    }
    return v.intValue();
  }

  boolean requiredBoolean(String field) {
    JsonNode v = required(field);
    if (!v.isBoolean()) {
      throw new Invalid("field '" + field + "' must be true or false, not " + v);
    }
    return v.booleanValue();
  }

  String requiredString(String field) {
    return optionalString(field).orElseThrow(() -> new Invalid("field '" + field + "' is missing"));
  }

  /** Absent and null are the same: operators' scripts write both. */
  Optional<String> optionalString(String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw new Invalid("field '" + field + "' must be a string, not " + v);
    }
    return Optional.of(v.textValue());
  }

  private JsonNode required(String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      throw new Invalid("field '" + field + "' is missing");
    }
    return v;
  }
}
