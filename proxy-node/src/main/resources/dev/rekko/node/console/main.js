// The console's loop: every POLL_MS it reads the topology and the migrations of the node that served the
// page, and the optional views (history, servers, slow log, hot and big keys) as often as each needs,
// then redraws. One poll at a time; an operation asks for the next poll at once.
import * as api from './api.js';
import { byId, setText, fmtTime } from './dom.js';
import { SlotMap } from './slotmap.js';
import { renderGroups, renderNodes } from './tables.js';
import { renderCharts } from './charts.js';
import { Migrations } from './migrations.js';
import { renderSlowlog, renderHotkeys, renderBigkeys } from './observe.js';
import { setup } from './actions.js';

const POLL_MS = 1500;

const optional = {
  history: new api.OptionalEndpoint('/api/history?scope=cluster', 2000),
  servers: new api.OptionalEndpoint('/api/servers', 2000),
  slowlog: new api.OptionalEndpoint('/api/slowlog?scope=cluster', 5000),
  hotkeys: new api.OptionalEndpoint('/api/hotkeys?scope=cluster', 5000),
  bigkeys: new api.OptionalEndpoint('/api/bigkeys?scope=cluster', 5000),
};

const slotMap = new SlotMap();
const migrations = new Migrations();
let timer = null;
let polling = false;
let again = false;
let lastTopology = null;
let lastMigrations = null;

const tableActions = setup({ refresh: () => schedule(0), migrations });

function schedule(delay) {
  if (polling) {
    again = true; // an operation finished during a poll: poll once more right after it
    return;
  }
  clearTimeout(timer);
  timer = setTimeout(poll, delay);
}

async function poll() {
  polling = true;
  again = false;
  const startedAt = Date.now();
  try {
    const [topology, migrationView] = await Promise.all([api.get('/api/topology'), api.get('/api/migrations')]);
    const now = Date.now();
    const polled = await Promise.all(Object.values(optional).map((o) => o.poll(now)));
    connection(topology, migrationView);
    if (topology.ok) {
      lastTopology = topology.body;
    }
    if (migrationView.ok) {
      lastMigrations = migrationView.body;
      migrations.update(lastMigrations, startedAt);
    }
    if (lastTopology) {
      draw(lastTopology, lastMigrations);
    }
    if (polled.slice(2).some((p) => p)) {
      drawObservability();
    }
  } catch (e) {
    // A drawing bug must not stop the loop; show it where the connection state is.
    setText(byId('conn'), 'console error: ' + e.message);
    byId('conn').dataset.state = 'error';
  } finally {
    polling = false;
    schedule(again ? 0 : POLL_MS);
  }
}

function connection(topology, migrationView) {
  const conn = byId('conn');
  if (topology.ok) {
    const partial = migrationView.ok ? '' : ' · migrations: ' + migrationView.error;
    setText(conn, 'live · ' + fmtTime(Date.now()) + partial);
    conn.dataset.state = migrationView.ok ? 'ok' : 'partial';
  } else {
    setText(conn, 'no topology: ' + topology.error);
    conn.dataset.state = 'down';
  }
}

function draw(t, m) {
  slotMap.update(t.slots, m ? m.movers : [], t.groups);
  const servers = optional.servers.state === 'ok'
    ? new Map((optional.servers.body.servers || []).map((s) => [s.addr, s]))
    : null;
  renderGroups(byId('groups-table').tBodies[0], t.groups, servers, tableActions);
  setText(byId('servers-note'), optional.servers.note() ? 'ops/s, memory, keys, clients: ' + optional.servers.note() : '');
  const history = optional.history.state === 'ok' ? optional.history.body : null;
  const byNode = history ? new Map((history.nodes || []).map((n) => [n.node, n])) : null;
  renderNodes(byId('nodes-table').tBodies[0], t.nodes, byNode);
  const errors = history && history.errors && history.errors.length
    ? 'no answer from ' + history.errors.map((e) => e.address + ': ' + e.error).join('; ') : '';
  setText(byId('nodes-note'), optional.history.note() ? 'sessions, ops/s, fenced: ' + optional.history.note() : errors);
  renderCharts(history ? history.nodes : null, optional.history.note() || errors);
  summary(t, m);
}

function summary(t, m) {
  const bits = [
    `epoch ${t.epoch}`,
    t.loaded ? `${t.groups.length} groups` : 'topology not loaded',
    `${t.nodes.length} nodes`,
  ];
  if (t.migrationsPaused) {
    bits.push('migrations paused');
  }
  if (m && m.active + m.pending > 0) {
    bits.push(`${m.active + m.pending} slots migrating`);
  }
  setText(byId('summary'), bits.join(' · '));
}

function drawObservability() {
  const o = optional;
  renderSlowlog(byId('slowlog'), o.slowlog.body, o.slowlog.note());
  renderHotkeys(byId('hotkeys'), o.hotkeys.body, o.hotkeys.note());
  renderBigkeys(byId('bigkeys'), o.bigkeys.body, o.bigkeys.note());
}

schedule(0);
