package dev.rekko.multinode;

import java.lang.reflect.InvocationTargetException;
import java.time.LocalTime;

/**
 * The {@code main} of every JVM that {@link MultiJvm} forks: builds the spec (which starts the
 * ActorSystem and attaches to the test conductor), runs its scenario and exits 0 on success, 1 on
 * any failure. System properties {@code multinode.*} tell the testkit which role this JVM plays.
 */
public final class MultiJvmNode {

  /** System property carrying the pid of the JVM that forked this one. */
  static final String PARENT_PID = "rekko.multijvm.parent-pid";

  private MultiJvmNode() {}

  public static void main(String[] args) {
    dieWithParent();
    String label = "node-" + System.getProperty("multinode.index", "?");
    int code = 1;
    try {
      MultiNodeScenario spec = instantiate(args[0]);
      label += " (" + spec.myself().name() + ")";
      spec.multiNodeSpecBeforeAll();
      spec.scenario();
      spec.multiNodeSpecAfterAll();
      code = 0;
    } catch (Throwable t) {
      System.out.println(label + " failed:");
      t.printStackTrace(System.out);
    }
    System.out.println(LocalTime.now() + " " + label + (code == 0 ? " passed" : " FAILED")
        + ", exiting with " + code);
    System.out.flush();
    // Pekko leaves non-daemon threads behind when a scenario fails midway, so only exit() ends the JVM.
    System.exit(code);
  }

  private static MultiNodeScenario instantiate(String className) throws Throwable {
    try {
      return Class.forName(className)
          .asSubclass(MultiNodeScenario.class)
          .getDeclaredConstructor()
          .newInstance();
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  // A test JVM killed with SIGKILL runs no shutdown hook, so the nodes watch it themselves rather
  // than linger as orphans holding ports.
  private static void dieWithParent() {
    String pid = System.getProperty(PARENT_PID);
    if (pid == null) {
      return;
    }
    ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
        parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)),
        () -> Runtime.getRuntime().halt(3));
  }
}
