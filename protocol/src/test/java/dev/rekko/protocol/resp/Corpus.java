package dev.rekko.protocol.resp;

import java.util.List;

/** Messages that exercise every branch of the decoders, for the split and fuzz tests. */
final class Corpus {
  private Corpus() {}

  static final List<String> REQUESTS = List.of(
      "*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n",
      "*1\r\n$4\r\nPING\r\n",
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n",
      "*3\r\n$3\r\nSET\r\n$3\r\nbin\r\n$8\r\n\r\n\u0000\u00ff\r\n*$\r\n",
      "*12\r\n" + "$1\r\nx\r\n".repeat(12),
      "*1\r\n$40\r\n" + "0123456789".repeat(4) + "\r\n",
      "*0\r\n",
      "*-1\r\n",
      "*2\rX$3\rYGETxy$1\r\nkAB",
      "PING\r\n",
      "GET foo\n",
      "SET \"a b\" 'c d' \"\\x41\\n\\\"\" 'it\\'s'\r\n",
      "  \t\r\n",
      "\r\n",
      "\n",
      "ECHO \"\"\r\n");

  static final List<String> REPLIES = List.of(
      "+OK\r\n",
      "+a\rb\r\n",
      "-ERR unknown command 'x'\r\n",
      ":0\r\n",
      ":-9223372036854775808\r\n",
      "$0\r\n\r\n",
      "$6\r\n\r\n\r\n\u0000\u00ff\r\n",
      "$-1\r\n",
      "*-1\r\n",
      "*0\r\n",
      "*3\r\n:1\r\n*2\r\n$1\r\na\r\n*0\r\n%1\r\n+k\r\n~1\r\n_\r\n",
      "_\r\n",
      "#t\r\n",
      "#f\r\n",
      ",3.25\r\n",
      ",-inf\r\n",
      ",nan\r\n",
      ",1.5e+300\r\n",
      "(-12345678901234567890123456789\r\n",
      "!10\r\nERR a\r\nbcd\r\n",
      "=9\r\ntxt:hello\r\n",
      "%2\r\n$1\r\na\r\n:1\r\n+b\r\n*1\r\n#f\r\n",
      "~2\r\n,1.0\r\n(1\r\n",
      ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n",
      "|1\r\n+ttl\r\n:3\r\n$2\r\nhi\r\n",
      "*2\r\n|0\r\n:1\r\n|1\r\n+a\r\n%0\r\n-ERR x\r\n");
}
