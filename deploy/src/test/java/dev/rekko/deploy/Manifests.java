package dev.rekko.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The Kubernetes manifests of the distribution as plain maps and lists, and short paths into them. */
final class Manifests {
  /** One YAML document, with the file it came from. */
  record Doc(String file, Map<String, Object> body) {
    String kind() {
      return (String) body.get("kind");
    }

    String name() {
      return str(body, "metadata.name");
    }
  }

  private final List<Doc> docs;

  private Manifests(List<Doc> docs) {
    this.docs = docs;
  }

  static Manifests load(Path dir) throws IOException {
    List<Doc> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        for (Object o : yaml.loadAll(Files.readString(f))) {
          if (o != null) {
            docs.add(new Doc(f.getFileName().toString(), map(o)));
          }
        }
      }
    }
    return new Manifests(docs);
  }

  List<Doc> all() {
    return docs;
  }

  Doc one(String kind) {
    List<Doc> found = docs.stream().filter(d -> d.kind().equals(kind)).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + found.size());
    }
    return found.get(0);
  }

  Doc named(String kind, String name) {
    return docs.stream().filter(d -> d.kind().equals(kind) && name.equals(d.name())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
  }

  /** The value at a dotted path of map keys, e.g. {@code spec.template.spec}. */
  static Object at(Map<String, Object> m, String path) {
    Object v = m;
    for (String key : path.split("\\.")) {
      if (!(v instanceof Map<?, ?> map) || !map.containsKey(key)) {
        throw new AssertionError("no " + path + " (missing " + key + ")");
      }
      v = map.get(key);
    }
    return v;
  }

  static Map<String, Object> map(Object o) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) o;
    return m;
  }

  static Map<String, Object> mapAt(Map<String, Object> m, String path) {
    return map(at(m, path));
  }

  static List<Map<String, Object>> listAt(Map<String, Object> m, String path) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> l = (List<Map<String, Object>>) at(m, path);
    return l;
  }

  static String str(Map<String, Object> m, String path) {
    return String.valueOf(at(m, path));
  }

  static int integer(Map<String, Object> m, String path) {
    return ((Number) at(m, path)).intValue();
  }
}
