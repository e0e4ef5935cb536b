package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * One verb of {@code admin}: finds the {@link AdminCommand} above it for the node's address and the
 * output mode, runs, and turns an {@link AdminFailure} into {@code error: ...} on stderr and its exit code.
 * The verbs handle their failures themselves because picocli uses only the root command's exception
 * handler, and {@code admin} runs both under {@code Main} and on its own.
 */
abstract class Verb implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  private PrintWriter out;
  private AdminCommand admin;

  /** Validates the arguments (throwing picocli's ParameterException), calls the API and prints. */
  abstract void run(AdminClient api);

  @Override
  public final Integer call() {
    admin = findAdmin();
    out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      run(admin.client());
      return 0;
    } catch (AdminFailure e) {
      out.flush();
      err.println("error: " + e.getMessage());
      return e.exitCode();
    } catch (ParameterException e) {
      throw e; // a usage error: picocli prints it with the usage, exit 2
    } catch (RuntimeException e) {
      // an answer of an unexpected shape, most likely from a newer or older node
      out.flush();
      err.println("error: cannot show the node's answer: " + e);
      return AdminFailure.API_ERROR;
    } finally {
      out.flush();
      err.flush();
    }
  }

  PrintWriter out() {
    return out;
  }

  boolean json() {
    return admin.json();
  }

  /** With --json the node's answer as it came; otherwise what {@code table} prints. */
  void show(JsonNode answer, Runnable table) {
    if (json()) {
      printJson(answer);
    } else {
      table.run();
    }
  }

  void printJson(JsonNode node) {
    if (node.isMissingNode()) {
      return; // an empty answer (204): nothing to show
    }
    out.println(AdminClient.pretty(node));
  }

  private AdminCommand findAdmin() {
    for (CommandSpec s = spec; s != null; s = s.parent()) {
      if (s.userObject() instanceof AdminCommand found) {
        return found;
      }
    }
    throw new IllegalStateException(spec.name() + " must run under the admin command");
  }
}
