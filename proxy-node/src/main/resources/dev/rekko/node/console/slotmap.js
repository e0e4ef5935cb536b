// The slot map: one cell per slot (data-slot, data-group, data-state), coloured by its group; the
// steps of a migration drawn distinctly, a migrating slot split between its group and its target.
import { el, byId, setText, clear, groupColor, fmtInt } from './dom.js';

const SLOTS = 1024;
const STATES = [
  ['ONLINE', 'served by its group'],
  ['PENDING', 'asked to migrate'],
  ['PREPARING', 'barrier: nodes hold it'],
  ['MIGRATING', 'keys moving to the target'],
  ['OFFLINE', 'no group'],
];

export class SlotMap {
  constructor() {
    this.root = byId('slot-map');
    this.detail = byId('slot-detail');
    this.legend = byId('legend');
    this.cells = [];
    this.drawn = [];
    this.slots = [];
    this.moved = new Map();
    this.selected = -1;
    const frag = document.createDocumentFragment();
    for (let i = 0; i < SLOTS; i++) {
      const cell = el('div', { class: 'slot', 'data-slot': i, 'data-group': 0, 'data-state': 'OFFLINE' });
      this.cells.push(cell);
      this.drawn.push('');
      frag.append(cell);
    }
    this.root.append(frag);
    // One listener for all cells; hover previews a slot, click keeps it selected.
    this.root.addEventListener('mouseover', (e) => this.show(slotOf(e.target)));
    this.root.addEventListener('mouseleave', () => this.show(this.selected));
    this.root.addEventListener('click', (e) => {
      this.selected = slotOf(e.target);
      this.show(this.selected);
    });
    drawStateLegend(byId('state-legend'));
  }

  /**
   * @param slots  the routes of /api/topology
   * @param movers /api/migrations' movers (may be empty)
   * @param groups /api/topology's groups: the legend lists every one, also those that own no slot yet
   */
  update(slots, movers, groups) {
    this.slots = slots;
    this.moved = new Map();
    for (const m of movers || []) {
      for (const [slot, keys] of Object.entries(m.slotKeysMoved || {})) {
        this.moved.set(Number(slot), keys);
      }
    }
    for (const route of slots) {
      const cell = this.cells[route.id];
      if (!cell) {
        continue;
      }
      const moved = this.moved.get(route.id);
      const key = route.state + '/' + route.group + '/' + route.target + '/' + route.epoch + '/' + (moved ?? '');
      if (this.drawn[route.id] === key) {
        continue;
      }
      this.drawn[route.id] = key;
      draw(cell, route, moved);
    }
    this.drawLegend(slots, groups || []);
    this.show(this.selected);
  }

  drawLegend(slots, groups) {
    const counts = new Map(groups.map((g) => [g.id, 0]));
    for (const r of slots) {
      counts.set(r.group, (counts.get(r.group) || 0) + 1);
    }
    const key = JSON.stringify([...counts].sort((a, b) => a[0] - b[0]));
    if (this.legendKey === key) {
      return;
    }
    this.legendKey = key;
    clear(this.legend);
    for (const [group, n] of [...counts].sort((a, b) => a[0] - b[0])) {
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = groupColor(group);
      this.legend.append(el('span', { class: 'legend-item', 'data-legend-group': group },
        swatch, group ? `group ${group}: ${n} slots` : `no group: ${n} slots`));
    }
  }

  show(slot) {
    const route = this.slots[slot];
    if (slot < 0 || !route) {
      setText(this.detail, this.selected < 0 ? 'Hover or click a slot.' : '');
      this.detail.dataset.shown = '';
      return;
    }
    this.detail.dataset.shown = String(slot);
    setText(this.detail, describe(route, this.moved.get(slot)));
  }
}

function slotOf(target) {
  const s = target && target.dataset ? target.dataset.slot : undefined;
  return s === undefined ? -1 : Number(s);
}

function describe(route, moved) {
  let text = `slot ${route.id} · ${route.state} · group ${route.group || 'none'}`;
  if (route.target) {
    text += ` → group ${route.target}`;
  }
  text += ` · epoch ${route.epoch}`;
  if (moved !== undefined) {
    text += ` · ${fmtInt(moved)} keys moved`;
  }
  return text;
}

function draw(cell, route, moved) {
  cell.dataset.group = String(route.group);
  cell.dataset.state = route.state;
  cell.dataset.target = String(route.target);
  cell.className = 'slot state-' + route.state.toLowerCase();
  cell.title = describe(route, moved);
  const own = groupColor(route.group);
  const target = groupColor(route.target);
  const style = cell.style;
  style.background = '';
  style.boxShadow = '';
  switch (route.state) {
    case 'OFFLINE':
      break; // the stylesheet's hatching
    case 'PENDING':
      style.background = own;
      style.boxShadow = `inset 0 0 0 2px ${target}`;
      break;
    case 'PREPARING':
    case 'BARRIER': // BARRIER and FINISHED: entries written by older versions
      style.background = own;
      style.boxShadow = 'inset 0 0 0 2px #111';
      break;
    case 'MIGRATING':
      style.background = `linear-gradient(135deg, ${own} 0 50%, ${target} 50% 100%)`;
      break;
    case 'FINISHED':
      style.background = target;
      break;
    default:
      style.background = own;
  }
}

function drawStateLegend(root) {
  for (const [state, meaning] of STATES) {
    const sample = el('span', { class: 'slot sample state-' + state.toLowerCase() });
    draw(sample, { id: -1, state, group: 1, target: 2, epoch: 0 });
    sample.classList.add('sample');
    sample.removeAttribute('title');
    delete sample.dataset.group;
    delete sample.dataset.state;
    delete sample.dataset.target;
    root.append(el('span', { class: 'legend-item', title: meaning }, sample, state.toLowerCase()));
  }
}
