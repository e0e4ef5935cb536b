// The groups-and-servers and nodes tables. Rows are kept by key and updated in place, so a button
// under the mouse is not replaced by the next poll.
import { el, setText, fmtInt, fmtBytes, fmtRate, shortNode, groupColor } from './dom.js';

/**
 * Puts one row per item in `tbody`, in order. `build(item)` makes a row once per key and `sig(item)`;
 * `fill(row, item)` updates it on every call.
 */
function syncRows(tbody, items, { key, sig, build, fill }) {
  const old = new Map();
  for (const row of tbody.rows) {
    old.set(row.dataset.key, row);
  }
  const wanted = [];
  for (const item of items) {
    const k = key(item);
    const s = sig(item);
    let row = old.get(k);
    if (!row || row.dataset.sig !== s) {
      const fresh = build(item);
      fresh.dataset.key = k;
      fresh.dataset.sig = s;
      if (row) {
        row.replaceWith(fresh);
      }
      row = fresh;
    }
    old.delete(k);
    fill(row, item);
    wanted.push(row);
  }
  for (const row of old.values()) {
    row.remove();
  }
  wanted.forEach((row, i) => {
    if (tbody.rows[i] !== row) {
      tbody.insertBefore(row, tbody.rows[i] || null);
    }
  });
}

/** One cell per column name, reachable as row.cellsByName[name]. */
function cells(row, names, classes = {}) {
  row.cellsByName = {};
  for (const n of names) {
    const td = el('td', { class: classes[n] });
    row.cellsByName[n] = td;
    row.append(td);
  }
  return row;
}

const SERVER_COLUMNS = ['addr', 'role', 'health', 'offset', 'lag', 'ops', 'memory', 'keys', 'clients', 'actions'];
const NUMERIC = { offset: 'num', lag: 'num', ops: 'num', memory: 'num', keys: 'num', clients: 'num' };

/**
 * @param groups  /api/topology's groups (servers with health)
 * @param servers addr → /api/servers entry, or null when that endpoint is not available
 * @param act     {removeGroup(id), removeServer(group, addr), promote(group, addr)}
 */
export function renderGroups(tbody, groups, servers, act) {
  const items = [];
  for (const g of groups) {
    items.push({ kind: 'group', g });
    for (const s of g.servers) {
      items.push({ kind: 'server', g, s });
    }
  }
  syncRows(tbody, items, {
    key: (it) => (it.kind === 'group' ? 'g' + it.g.id : 's' + it.g.id + '/' + it.s.addr),
    sig: (it) => (it.kind === 'group' ? String(it.g.slots === 0) : it.s.role),
    build: (it) => (it.kind === 'group' ? groupRow(it.g, act) : serverRow(it.g, it.s, act)),
    fill: (row, it) => (it.kind === 'group' ? fillGroup(row, it.g) : fillServer(row, it.s, servers)),
  });
}

function groupRow(g, act) {
  const swatch = el('span', { class: 'swatch' });
  swatch.style.background = groupColor(g.id);
  const title = el('span', { class: 'group-title' });
  const info = el('span', { class: 'group-info' });
  const remove = g.slots === 0
    ? el('button', { type: 'button', class: 'small', 'data-action': 'remove-group', onclick: () => act.removeGroup(g.id) },
      'remove group')
    : null;
  const td = el('td', { colspan: SERVER_COLUMNS.length }, swatch, title, info, remove);
  const row = el('tr', { class: 'group-row', 'data-group-row': g.id }, td);
  row.parts = { title, info };
  return row;
}

function fillGroup(row, g) {
  setText(row.parts.title, `group ${g.id}`);
  const bits = [`${g.slots} slots`, `epoch ${g.epoch}`];
  if (g.replicaRead) {
    bits.push('reads from replicas');
  }
  if (g.switching) {
    bits.push('SWITCHING MASTER');
  }
  if (g.lastFailover) {
    const f = g.lastFailover;
    bits.push(`last ${f.kind}: ${f.oldMaster} → ${f.newMaster} (${f.durationMillis} ms)`);
  }
  if (g.servers.length === 0) {
    bits.push('no servers');
  }
  setText(row.parts.info, ' · ' + bits.join(' · '));
}

function serverRow(g, s, act) {
  const row = cells(el('tr', { class: 'server-row', 'data-server': s.addr, 'data-group': g.id }), SERVER_COLUMNS, NUMERIC);
  const actions = row.cellsByName.actions;
  if (s.role === 'REPLICA') {
    actions.append(el('button', { type: 'button', class: 'small', 'data-action': 'promote',
      onclick: () => act.promote(g.id, s.addr) }, 'promote'));
  }
  actions.append(el('button', { type: 'button', class: 'small', 'data-action': 'remove-server',
    onclick: () => act.removeServer(g.id, s.addr) }, 'remove'));
  return row;
}

function fillServer(row, s, servers) {
  const c = row.cellsByName;
  const h = s.health || {};
  setText(c.addr, s.addr + (s.datacenter ? ` (${s.datacenter})` : ''));
  setText(c.role, s.role.toLowerCase() + (h.role && h.role !== s.role.toLowerCase() ? ` (says ${h.role})` : ''));
  setText(c.health, `${h.status || 'unknown'} (${h.source || '?'})` + (h.linkUp === false ? ' · link down' : ''));
  c.health.dataset.status = h.status || 'unknown';
  c.health.title = h.downNodes && h.downNodes.length ? 'down for ' + h.downNodes.map(shortNode).join(', ') : '';
  setText(c.offset, fmtInt(h.offset));
  setText(c.lag, h.lagBytes === null || h.lagBytes === undefined ? '—' : fmtBytes(h.lagBytes));
  const info = servers ? servers.get(s.addr) : null;
  const missing = info && !info.error ? null : '—';
  setText(c.ops, info && info.error ? 'INFO failed' : missing ?? fmtRate(info.opsPerSec));
  setText(c.memory, missing ?? fmtBytes(info.usedMemory));
  setText(c.keys, missing ?? fmtInt(info.keys));
  setText(c.clients, missing ?? fmtInt(info.connectedClients));
  c.ops.title = info && info.error ? info.error : '';
}

const NODE_COLUMNS = ['node', 'resp', 'http', 'state', 'epoch', 'sessions', 'ops', 'fenced'];

/**
 * @param nodes   /api/topology's nodes
 * @param history address → /api/history entry of that node, or null when not available
 */
export function renderNodes(tbody, nodes, history) {
  syncRows(tbody, nodes, {
    key: (n) => n.address,
    sig: () => '',
    build: (n) => cells(el('tr', { 'data-node': n.address }), NODE_COLUMNS,
      { epoch: 'num', sessions: 'num', ops: 'num' }),
    fill: (row, n) => {
      const c = row.cellsByName;
      const h = history ? history.get(n.address) : null;
      setText(c.node, shortNode(n.address));
      setText(c.resp, n.resp);
      setText(c.http, n.http);
      setText(c.state, n.state);
      c.state.dataset.state = n.state;
      setText(c.epoch, n.appliedEpoch);
      setText(c.sessions, h ? fmtInt(h.sessions) : '—');
      setText(c.ops, h ? fmtRate(h.opsPerSec) : '—');
      setText(c.fenced, h ? (h.fenced ? 'FENCED' : 'no') : (n.state === 'FENCED' ? 'FENCED' : '—'));
    },
  });
}
