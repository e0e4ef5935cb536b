package dev.rekko.node.config;

import java.util.List;

/** The configuration cannot be used; the message names every offending key. */
public final class NodeConfigException extends RuntimeException {
  private final List<String> problems;

  public NodeConfigException(List<String> problems, Throwable cause) {
    super(problems.size() == 1
        ? "Invalid configuration: " + problems.get(0)
        : "Invalid configuration:\n  - " + String.join("\n  - ", problems), cause);
    this.problems = List.copyOf(problems);
  }

  /** One line per problem, each starting with the key it is about. */
  public List<String> problems() {
    return problems;
  }
}
