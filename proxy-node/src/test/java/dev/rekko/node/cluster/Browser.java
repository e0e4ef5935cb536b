package dev.rekko.node.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Level;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A headless Chromium driven by chromedriver, both named explicitly (Debian's {@code /usr/bin/chromium}
 * and {@code /usr/bin/chromedriver} unless {@code -Drekko.chromium=} / {@code -Drekko.chromedriver=} say
 * otherwise), so that Selenium Manager never looks for a browser on the network. Its profile lives in
 * a temporary folder deleted on close; the browser log keeps every level.
 */
final class Browser implements AutoCloseable {
  private final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  static Browser start() throws IOException {
    File chromium = new File(System.getProperty("rekko.chromium", "/usr/bin/chromium"));
    File chromedriver = new File(System.getProperty("rekko.chromedriver", "/usr/bin/chromedriver"));
    if (!chromium.canExecute() || !chromedriver.canExecute()) {
      throw new IllegalStateException("the browser tests need " + chromium + " and " + chromedriver
          + " (apt-get install chromium chromium-driver)");
    }
    Path profile = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1366,900", "--user-data-dir=" + profile, "--no-first-run", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--lang=en-US");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver)
        .usingAnyFreePort()
        .build();
    return new Browser(new ChromeDriver(service, options), profile);
  }

  WebDriver driver() {
    return driver;
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var paths = Files.walk(profile)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // A leftover profile in target/tmp is harmless.
      }
    }
  }
}
