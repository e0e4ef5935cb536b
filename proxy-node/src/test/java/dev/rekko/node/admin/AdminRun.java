package dev.rekko.node.admin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code admin ARGS} in-process as picocli would from the shell, capturing stdout and stderr. */
record AdminRun(int code, String out, String err) {
  static AdminRun run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new AdminCommand(env));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new AdminRun(code, out.toString(), err.toString());
  }

  /** {@code admin --addr STUB ARGS} with an empty environment. */
  static AdminRun against(StubApi api, String... args) {
    List<String> all = new ArrayList<>(List.of("--addr", api.addr()));
    all.addAll(List.of(args));
    return run(Map.of(), all.toArray(String[]::new));
  }
}
