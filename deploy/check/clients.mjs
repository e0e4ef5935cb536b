// node-redis (v4) against two Rekko nodes (ports P and P+1): handshake, pipelines, transactions,
// MGET across groups, pub/sub across nodes, blocking pops.
import { createClient } from 'redis';

const port = Number(process.argv[2]);
const failures = [];
function check(name, got, want) {
  const ok = JSON.stringify(got) === JSON.stringify(want);
  console.log((ok ? 'ok   ' : 'FAIL ') + name + (ok ? '' : `: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`));
  if (!ok) failures.push(name);
}

const a = createClient({ url: `redis://127.0.0.1:${port}` });
const b = createClient({ url: `redis://127.0.0.1:${port + 1}` });
await a.connect();
await b.connect();
check('ping', await a.ping(), 'PONG');
const keys = Array.from({ length: 20 }, (_, i) => `js:k${i}`);
await a.del(keys);
// node-redis pipelines commands issued in the same tick.
check('pipelined SETs', await Promise.all(keys.map((k, i) => a.set(k, String(i)))), keys.map(() => 'OK'));
check('MGET across groups', await a.mGet([...keys, 'js:missing']), [...keys.map((_, i) => String(i)), null]);
await a.del('{js}:c');
check('MULTI/EXEC', await a.multi().incr('{js}:c').incr('{js}:c').exec(), [1, 2]);

const sub = a.duplicate();
await sub.connect();
const received = [];
await sub.subscribe('js:news', (message, channel) => received.push([channel, message]));
for (let i = 0; i < 50 && received.length === 0; i++) {
  await b.publish('js:news', 'hello');
  await new Promise((r) => setTimeout(r, 100));
}
check('pub/sub across nodes', received[0], ['js:news', 'hello']);
await sub.quit();

await a.del('js:list');
setTimeout(() => b.rPush('js:list', 'v'), 200);
const blocker = a.duplicate();
await blocker.connect();
check('BLPOP woken from another node', await blocker.blPop('js:list', 5), { key: 'js:list', element: 'v' });
await blocker.quit();

await a.quit();
await b.quit();
process.exit(failures.length ? 1 : 0);
