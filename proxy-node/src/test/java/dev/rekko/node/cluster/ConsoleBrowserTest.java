package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The web console in a real headless Chromium against a 3-node cluster: the slot map, a group created
 * and slots migrated through the page's forms, a refused token, a throttled rebalance, and a browser log
 * without errors. Needs chromium and chromedriver ({@code -Pbrowser}); see {@link Browser}.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  private static final String TOKEN = "console-test-token";
  private static final int KEYS = 10_000;
  private static final Duration WAIT = Duration.ofSeconds(90);
  /**
   * Chromium logs every 4xx answer to fetch() as an error ("Failed to load resource"): allowed only for the
   * 403 that {@link #aWrongTokenShowsTheApisRefusal} provokes on purpose.
   */
  private static final Pattern PROVOKED_403 = Pattern.compile(
      "\\S+/api/groups - Failed to load resource: the server responded with a status of 403 \\(Forbidden\\)");

  private static ClusterFixture fx;
  private static RedisServer g2;
  private static RedisServer g3;
  private static Browser browser;
  private static WebDriver driver;
  private static final List<String> severe = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    fx = ClusterFixture.create(3, TOKEN, Map.of()).startAll();
    RedisServer g1 = fx.redis();
    g2 = fx.redis();
    g3 = fx.redis();
    ApiClient a = fx.api(0);
    a.post("/api/groups", "{\"id\":1}").ok();
    a.post("/api/groups/1/servers", "{\"addr\":\"" + g1.address() + "\"}").ok();
    a.post("/api/slots/assign", "{\"from\":0,\"to\":1023,\"group\":1}").ok();
    fx.awaitAllSlotsAt(1);
    // Keys in every slot, so that migrations have something to move (and the throttle something to slow).
    try (Jedis j = new Jedis("127.0.0.1", fx.respPort(1), 30_000)) {
      Pipeline p = j.pipelined();
      for (int i = 0; i < KEYS; i++) {
        p.set("console:" + i, "v" + i);
      }
      assertThat(p.syncAndReturnAll()).as("the keys' SETs").containsOnly("OK");
    }
    browser = Browser.start();
    driver = browser.driver();
    driver.get("http://127.0.0.1:" + fx.httpPort(0) + "/");
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (fx != null) {
        fx.close();
      }
    }
  }

  @AfterEach
  void collectTheBrowserLog() {
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
        severe.add(e.getMessage());
      }
    }
  }

  @Test
  @Order(1)
  void theMapShowsEverySlotWithItsGroup() throws Exception {
    until("1024 slot cells of group 1", d -> cells().size() == 1024
        && cells().values().stream().allMatch(c -> c.equals("1/ONLINE")));
    assertThat(cells().keySet()).containsExactlyElementsOf(range(0, 1023));
    JsonNode slots = fx.api(1).get("/api/slots").ok();
    Map<Integer, String> cells = cells();
    for (JsonNode s : slots) {
      assertThat(cells.get(s.get("id").asInt())).isEqualTo(s.get("group").asInt() + "/" + s.get("state").asText());
    }
    // The route of a slot on hover.
    new org.openqa.selenium.interactions.Actions(driver)
        .moveToElement(driver.findElement(By.cssSelector("#slot-map [data-slot='77']"))).perform();
    until("slot 77's route shown", d -> text("slot-detail").startsWith("slot 77 · ONLINE · group 1 · epoch "));
  }

  @Test
  @Order(2)
  void aWrongTokenShowsTheApisRefusal() throws Exception {
    setToken("not-the-token");
    submit("form-create-group", Map.of("id", "9"));
    until("the refusal shown", d -> errors().stream().anyMatch(t -> t.contains("wrong admin token")));
    assertThat(fx.api(0).get("/api/groups/9").status()).isEqualTo(404);
    closeToasts();
  }

  @Test
  @Order(3)
  void aGroupCreatedAndSlotsMigratedThroughTheForms() throws Exception {
    setToken(TOKEN);
    submit("form-create-group", Map.of("id", "2", "addr", g2.address()));
    until("group 2 with its server listed", d ->
        !d.findElements(By.cssSelector("#groups-table tr[data-server='" + g2.address() + "'][data-group='2']")).isEmpty());
    assertThat(fx.api(0).get("/api/groups/2").ok().at("/servers/0/addr").asText()).isEqualTo(g2.address());

    submit("form-migrate", Map.of("from", "0", "to", "340", "group", "2"));
    until("slots 0..340 shown at group 2", d -> {
      Map<Integer, String> c = cells();
      return range(0, 340).stream().allMatch(i -> "2/ONLINE".equals(c.get(i)))
          && range(341, 1023).stream().allMatch(i -> "1/ONLINE".equals(c.get(i)));
    });
    until("the migration done", d -> "done".equals(attr("migration-status", "data-state")));
    assertThat(attr("migration-bar", "data-progress")).isEqualTo("1.000");
    // Another node's copy of the topology may be a moment behind the page's node.
    ClusterFixture.await("node 2 sees slots 0..340 online at group 2, the rest at group 1", () -> {
      for (JsonNode s : slotsOf(2)) {
        if (s.get("group").asInt() != (s.get("id").asInt() <= 340 ? 2 : 1) || !"ONLINE".equals(s.get("state").asText())) {
          return false;
        }
      }
      return true;
    });
    try (Jedis j = new Jedis("127.0.0.1", g2.port())) {
      assertThat(j.dbSize()).as("keys moved to group 2's server").isPositive();
    }
  }

  @Test
  @Order(4)
  void aThrottledRebalanceOntoANewGroup() throws Exception {
    submit("form-create-group", Map.of("id", "3", "addr", g3.address()));
    until("group 3 listed", d -> !d.findElements(By.cssSelector("#groups-table tr[data-group-row='3']")).isEmpty());
    submit("form-throttle", Map.of("maxKeysPerSecond", "300"));
    until("the throttle applied", d -> api("/api/migrations").get("maxKeysPerSecond").asInt() == 300);

    driver.findElement(By.id("rebalance-plan")).click();
    until("the plan shown", d -> text("rebalance-summary").equals("341 slots to move."));
    assertThat(fx.api(0).get("/api/migrations").ok().get("pending").asInt()).as("a plan changes nothing").isZero();
    driver.findElement(By.id("rebalance-apply")).click();
    // The throttle keeps ~3,300 keys of 341 slots moving for seconds: the map shows them migrating.
    until("the map shows the migration", d -> cells().values().stream().anyMatch(c -> c.endsWith("/MIGRATING"))
        && "running".equals(attr("migration-status", "data-state")));
    closeToasts();
    browser.js("window.scrollTo(0, 0)");
    saveScreenshot();

    submit("form-throttle", Map.of("maxKeysPerSecond", "0"));
    until("the rebalance done", d -> "done".equals(attr("migration-status", "data-state"))
        && api("/api/migrations").get("pending").asInt() == 0 && api("/api/migrations").get("active").asInt() == 0);
    ClusterFixture.await("node 1 sees every slot online, 341 or 342 per group", () -> {
      Map<Integer, Integer> perGroup = new TreeMap<>();
      for (JsonNode s : slotsOf(1)) {
        if (!"ONLINE".equals(s.get("state").asText())) {
          return false;
        }
        perGroup.merge(s.get("group").asInt(), 1, Integer::sum);
      }
      return perGroup.keySet().equals(java.util.Set.of(1, 2, 3))
          && perGroup.values().stream().allMatch(n -> n == 341 || n == 342);
    });
    until("the map shows what the API says", d -> {
      Map<Integer, String> c = cells();
      JsonNode slots = api("/api/slots");
      for (JsonNode s : slots) {
        if (!c.get(s.get("id").asInt()).equals(s.get("group").asInt() + "/" + s.get("state").asText())) {
          return false;
        }
      }
      return true;
    });
  }

  @Test
  @Order(5)
  void theBrowserLogHasNoErrors() {
    System.out.println("SEVERE browser log entries: " + severe);
    assertThat(severe).as("SEVERE browser log entries").allMatch(m -> PROVOKED_403.matcher(m).matches());
  }

  // ---- helpers ----

  /** Node {@code i}'s {@code /api/slots}. */
  private static JsonNode slotsOf(int i) {
    try {
      return fx.api(i).get("/api/slots").ok();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void setToken(String token) {
    driver.findElement(By.id("token-button")).click();
    until("the token dialog open", d -> d.findElement(By.id("token-input")).isDisplayed());
    driver.findElement(By.id("token-input")).clear();
    driver.findElement(By.id("token-input")).sendKeys(token);
    driver.findElement(By.id("token-save")).click();
    until("the token dialog closed", d -> !d.findElement(By.id("token-dialog")).isDisplayed());
  }

  /** Fills the form's fields by name and presses its submit button. */
  private static void submit(String formId, Map<String, String> fields) {
    for (var f : fields.entrySet()) {
      var input = driver.findElement(By.cssSelector("#" + formId + " [name='" + f.getKey() + "']"));
      input.clear();
      input.sendKeys(f.getValue());
    }
    driver.findElement(By.cssSelector("#" + formId + " button[type=submit]")).click();
  }

  /** Clears the toasts at once (they also go by themselves, so clicking each could miss one that just went). */
  private static void closeToasts() {
    browser.js("document.querySelectorAll('#toasts .toast').forEach(t => t.remove())");
  }

  private static List<String> errors() {
    return driver.findElements(By.cssSelector("[data-role=error]")).stream().map(e -> e.getText()).toList();
  }

  /** Slot id → "group/state" of every cell of the map. */
  @SuppressWarnings("unchecked")
  private static Map<Integer, String> cells() {
    List<String> all = (List<String>) browser.js("return Array.from(document.querySelectorAll('#slot-map [data-slot]'))"
        + ".map(e => e.dataset.slot + '/' + e.dataset.group + '/' + e.dataset.state)");
    Map<Integer, String> cells = new TreeMap<>();
    for (String c : all) {
      int slash = c.indexOf('/');
      cells.put(Integer.parseInt(c.substring(0, slash)), c.substring(slash + 1));
    }
    return cells;
  }

  private static String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  private static String attr(String id, String name) {
    return driver.findElement(By.id(id)).getAttribute(name);
  }

  private static JsonNode api(String path) {
    try {
      return fx.api(0).get(path).ok();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> r = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      r.add(i);
    }
    return r;
  }

  private static void until(String what, Function<WebDriver, Boolean> condition) {
    new WebDriverWait(driver, WAIT, Duration.ofMillis(200)).withMessage(what).until(condition::apply);
  }

  private static void saveScreenshot() throws IOException {
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Path target = Path.of("target", "console.png");
    Files.createDirectories(target.getParent());
    Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
  }
}
