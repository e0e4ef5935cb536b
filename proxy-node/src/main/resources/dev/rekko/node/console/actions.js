// Operations: the forms and buttons that call the API's mutating endpoints with the admin token, and
// the toasts that show what the API answered (its own error text when it refused).
import * as api from './api.js';
import { el, byId, clear } from './dom.js';

const MAX_TOASTS = 5;

/** Shows `text`; an error stays until closed or for 30 s, anything else for 6 s. */
export function toast(text, kind = 'info') {
  const root = byId('toasts');
  const close = el('button', { type: 'button', class: 'toast-close', 'aria-label': 'close' }, '×');
  const node = el('div', { class: 'toast ' + kind, 'data-role': kind, role: kind === 'error' ? 'alert' : 'status' },
    el('span', { class: 'toast-text' }, text), close);
  close.addEventListener('click', () => node.remove());
  root.append(node);
  while (root.children.length > MAX_TOASTS) {
    root.firstElementChild.remove();
  }
  setTimeout(() => node.remove(), kind === 'error' ? 30000 : 6000);
}

function report(r, success) {
  if (r.ok) {
    toast(typeof success === 'function' ? success(r.body) : success, 'info');
  } else {
    toast(r.error, 'error');
    if (r.status === 401) {
      openTokenDialog(); // the cluster has a token and this tab has none yet: ask for it once
    }
  }
  return r.ok;
}

/** A JSON integer when the field holds one; otherwise the text, so that the API says what is wrong. */
function int(value) {
  const n = Number(value);
  return value !== '' && Number.isInteger(n) ? n : value;
}

/**
 * Wires a form: on submit, `run(fields)` (the trimmed values by name) does the calls and answers the
 * last result; the page then polls at once.
 */
function form(id, run, refresh) {
  const f = byId(id);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const fields = {};
    for (const [k, v] of new FormData(f)) {
      fields[k] = String(v).trim();
    }
    const button = f.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      if (await run(fields)) {
        f.reset();
      }
    } finally {
      button.disabled = false;
      refresh();
    }
  });
}

function button(id, run, refresh) {
  byId(id).addEventListener('click', async () => {
    try {
      await run();
    } finally {
      refresh();
    }
  });
}

/** @param ctx {refresh(), migrations} */
export function setup(ctx) {
  const { refresh, migrations } = ctx;
  tokenDialog();

  form('form-create-group', async (f) => {
    const id = int(f.id);
    const r = await api.post('/api/groups', { id });
    if (!report(r, `group ${id} created`) || !f.addr) {
      return r.ok;
    }
    return report(await api.post(`/api/groups/${encodeURIComponent(id)}/servers`,
      { addr: f.addr, datacenter: f.datacenter }), `${f.addr} added to group ${id}`);
  }, refresh);

  form('form-add-server', async (f) => report(await api.post(`/api/groups/${encodeURIComponent(f.group)}/servers`,
    { addr: f.addr, datacenter: f.datacenter }), `${f.addr} added to group ${f.group}`), refresh);

  form('form-assign', async (f) => report(await api.post('/api/slots/assign',
    { from: int(f.from), to: int(f.to), group: int(f.group) }),
  (b) => `${b.slots.length} slots assigned to group ${f.group}`), refresh);

  form('form-migrate', async (f) => {
    const r = await api.post('/api/slots/migrate', { from: int(f.from), to: int(f.to), group: int(f.group) });
    if (r.ok) {
      migrations.started(Date.now());
    }
    return report(r, (b) => `${b.slots.length} slots on their way to group ${f.group}`);
  }, refresh);

  form('form-throttle', async (f) => report(await api.post('/api/migrations/throttle',
    { maxKeysPerSecond: int(f.maxKeysPerSecond || '0') }), (b) => b.message), refresh);

  for (const what of ['pause', 'resume', 'cancel']) {
    button('migrations-' + what, async () => report(await api.post('/api/migrations/' + what), (b) => b.message), refresh);
  }

  button('rebalance-plan', async () => showPlan(await api.post('/api/rebalance'), ctx), refresh);

  return {
    removeGroup: async (id) => {
      if (window.confirm(`Remove group ${id}?`)) {
        report(await api.del(`/api/groups/${id}`), `group ${id} removed`);
        refresh();
      }
    },
    removeServer: async (group, addr) => {
      if (window.confirm(`Remove ${addr} from group ${group}?`)) {
        report(await api.del(`/api/groups/${group}/servers/${encodeURIComponent(addr)}`), `${addr} removed`);
        refresh();
      }
    },
    promote: async (group, addr) => {
      if (window.confirm(`Make ${addr} the master of group ${group}?`)) {
        report(await api.post(`/api/groups/${group}/promote`, { addr }), `${addr} is the master of group ${group}`);
        refresh();
      }
    },
  };
}

/** The plan of POST /api/rebalance, with a button that applies it (?confirm=true). */
function showPlan(r, { refresh, migrations }) {
  const view = byId('rebalance-view');
  clear(view);
  if (!report(r, 'plan computed, nothing changed yet')) {
    return;
  }
  const plan = r.body;
  const groups = Object.keys(plan.before).sort((a, b) => a - b);
  view.append(el('p', { id: 'rebalance-summary' },
    plan.moves.length === 0 ? 'The slots are balanced: nothing to move.' : `${plan.moves.length} slots to move.`));
  view.append(el('table', { class: 'data compact' },
    el('thead', {}, el('tr', {}, el('th', {}, 'group'), el('th', { class: 'num' }, 'now'), el('th', { class: 'num' }, 'after'))),
    el('tbody', {}, groups.map((g) => el('tr', {}, el('td', {}, g), el('td', { class: 'num' }, plan.before[g]),
      el('td', { class: 'num' }, plan.after[g] ?? plan.before[g]))))));
  if (plan.moves.length === 0) {
    return;
  }
  const apply = el('button', { type: 'button', id: 'rebalance-apply' }, `Apply: migrate ${plan.moves.length} slots`);
  const discard = el('button', { type: 'button' }, 'Discard');
  apply.addEventListener('click', async () => {
    apply.disabled = true;
    const done = await api.post('/api/rebalance?confirm=true');
    if (done.ok) {
      migrations.started(Date.now());
      clear(view);
    } else {
      apply.disabled = false;
    }
    report(done, (b) => `${b.slots.length} slots migrating`);
    refresh();
  });
  discard.addEventListener('click', () => clear(view));
  view.append(el('div', { class: 'controls' }, apply, discard));
}

function openTokenDialog() {
  const dialog = byId('token-dialog');
  if (!dialog.open) {
    byId('token-input').value = api.token();
    dialog.showModal();
    byId('token-input').focus();
  }
}

function tokenDialog() {
  const dialog = byId('token-dialog');
  const input = byId('token-input');
  const open = byId('token-button');
  const label = () => {
    const set = api.token() !== '';
    open.textContent = set ? 'Admin token ✓' : 'Admin token';
    open.dataset.tokenSet = String(set);
  };
  label();
  open.addEventListener('click', openTokenDialog);
  byId('form-token').addEventListener('submit', (e) => {
    e.preventDefault();
    api.setToken(input.value.trim());
    dialog.close();
    label();
  });
  byId('token-clear').addEventListener('click', () => {
    api.setToken('');
    input.value = '';
    dialog.close();
    label();
  });
  byId('token-cancel').addEventListener('click', () => dialog.close());
}
