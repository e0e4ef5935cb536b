package dev.rekko.node.admin;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Plain-text columns, left-aligned, two spaces apart: easy to read and to grep or awk. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final boolean header;

  private Table(boolean header) {
    this.header = header;
  }

  static Table withHeader(String... titles) {
    Table t = new Table(true);
    t.rows.add(titles);
    return t;
  }

  static Table plain() {
    return new Table(false);
  }

  Table row(Object... cells) {
    String[] texts = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      texts[i] = cells[i] == null ? "" : cells[i].toString();
    }
    rows.add(texts);
    return this;
  }

  boolean isEmpty() {
    return rows.size() == (header ? 1 : 0);
  }

  void print(PrintWriter out) {
    int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
