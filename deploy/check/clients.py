"""redis-py against two Rekko nodes (ports P and P+1): what applications do, checked step by step."""
import sys
import threading
import time

import redis

port = int(sys.argv[1])
failures = []


def check(name, got, want):
    ok = got == want
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": got {got!r}, want {want!r}"))
    if not ok:
        failures.append(name)


for proto in (2, 3):
    # redis-py 5+ sends CLIENT SETINFO on connect; protocol=3 sends HELLO 3.
    r = redis.Redis(port=port, protocol=proto, decode_responses=True)
    tag = f"py{proto}"
    check(f"RESP{proto} ping", r.ping(), True)
    keys = [f"{tag}:k{i}" for i in range(20)]
    r.delete(*keys)
    pipe = r.pipeline(transaction=False)
    for i, k in enumerate(keys):
        pipe.set(k, i)
    check(f"RESP{proto} pipeline of 20 SETs", pipe.execute(), [True] * 20)
    check(f"RESP{proto} MGET across groups", r.mget(keys + [f"{tag}:missing"]), [str(i) for i in range(20)] + [None])
    h = f"{tag}:hash"
    r.delete(h)
    r.hset(h, mapping={"a": "1", "b": "2"})
    check(f"RESP{proto} HGETALL", r.hgetall(h), {"a": "1", "b": "2"})
    tx = r.pipeline(transaction=True)
    tx.incr(f"{{{tag}}}:c").incr(f"{{{tag}}}:c")
    r.delete(f"{{{tag}}}:c")
    check(f"RESP{proto} MULTI/EXEC", tx.execute(), [1, 2])
    found = set(r.scan_iter(match=f"{tag}:k*", count=5))
    check(f"RESP{proto} SCAN across groups", found, set(keys))
    r.delete(f"{tag}:list")
    threading.Timer(0.2, lambda: redis.Redis(port=port + 1).rpush(f"{tag}:list", "v")).start()
    check(f"RESP{proto} BLPOP woken from another node", list(r.blpop([f"{tag}:list"], timeout=5)), [f"{tag}:list", "v"])
    r.close()

# Pub/sub: subscriber on node 0, publisher on node 1.
sub = redis.Redis(port=port, decode_responses=True).pubsub()
sub.subscribe("py:news")
sub.psubscribe("py:pat.*")
for _ in range(2):
    sub.get_message(timeout=5)
pub = redis.Redis(port=port + 1)
got = []
deadline = time.time() + 10
while len(got) < 2 and time.time() < deadline:
    pub.publish("py:news", "hello")
    pub.publish("py:pat.x", "world")
    m = sub.get_message(timeout=0.5)
    while m:
        got.append((m["type"], m["channel"], m["data"]))
        m = sub.get_message(timeout=0.2)
check("pub/sub across nodes", {("message", "py:news", "hello"), ("pmessage", "py:pat.x", "world")} <= set(got), True)
sub.close()

sys.exit(1 if failures else 0)
