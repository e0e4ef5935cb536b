// The migrations panel: the coordinator's progress (/api/migrations) as a bar over the current batch of
// slots, the movers' keys and rates, and a status: idle, running, paused, done.
import { el, byId, setText, clear, fmtInt, fmtRate, fmtSeconds } from './dom.js';

export class Migrations {
  constructor() {
    this.batch = null; // {doneAt, total} while slots are left
    this.expectAfter = Infinity; // a poll started after this time should see the migration this page asked for
    this.status = 'idle';
  }

  /** This page started a migration at `when` (ms): a poll from after it that sees nothing left means done. */
  started(when) {
    this.expectAfter = when;
  }

  /** @param m /api/migrations' answer; @param polledAt when that poll started (ms) */
  update(m, polledAt) {
    const left = m.active + m.pending;
    let progress = 0;
    if (left > 0) {
      if (!this.batch) {
        this.batch = { doneAt: m.done, total: 0 };
      }
      // A new coordinator counts `done` from 0 again.
      const done = Math.max(0, m.done - this.batch.doneAt);
      this.batch.total = Math.max(this.batch.total, left + done);
      progress = done / this.batch.total;
      this.status = m.paused ? 'paused' : 'running';
      this.expectAfter = Infinity;
    } else if (this.batch || polledAt >= this.expectAfter) {
      this.batch = null;
      this.expectAfter = Infinity;
      this.status = 'done';
      progress = 1;
    } else {
      progress = this.status === 'done' ? 1 : 0;
    }
    this.render(m, left, progress);
  }

  render(m, left, progress) {
    const status = byId('migration-status');
    const label = this.status === 'paused' ? 'paused' : this.status;
    setText(status, label);
    status.dataset.state = this.status;
    const fill = byId('migration-bar-fill');
    fill.style.width = (progress * 100).toFixed(1) + '%';
    byId('migration-bar').dataset.progress = progress.toFixed(3);
    const facts = [
      ['slots left', fmtInt(left) + (this.batch ? ` of ${fmtInt(this.batch.total)}` : '')],
      ['active', fmtInt(m.active)],
      ['pending', fmtInt(m.pending)],
      ['done', fmtInt(m.done)],
      ['keys moved', fmtInt(m.keysMoved)],
      ['keys/s', fmtRate(m.keysPerSecond)],
      ['ETA', left > 0 ? fmtSeconds(m.etaSeconds) : '—'],
    ];
    facts.push(m.maxKeysPerSecond > 0 ? ['keys/s per mover at most', fmtInt(m.maxKeysPerSecond)] : ['no throttle', '']);
    if (m.paused) {
      facts.push(['paused', '']);
    }
    const summary = byId('migration-summary');
    const key = JSON.stringify(facts);
    if (summary.dataset.key !== key) {
      summary.dataset.key = key;
      clear(summary);
      for (const [name, value] of facts) {
        summary.append(el('span', { class: 'fact', 'data-fact': name }, value ? el('b', {}, value) : null, (value ? ' ' : '') + name));
      }
    }
    renderMovers(m.movers || []);
  }
}

function renderMovers(movers) {
  const root = byId('movers');
  clear(root);
  for (const mv of movers) {
    const leaving = (mv.leaving || []).length;
    if (leaving === 0 && !mv.walking && !mv.lastError) {
      continue;
    }
    const bits = [
      `group ${mv.group}`,
      mv.paused ? 'paused' : mv.walking ? 'walking' : 'waiting',
      `${leaving} slots leaving`,
      `${fmtInt(mv.keysMoved)} keys moved`,
      `${fmtRate(mv.keysPerSecond)} keys/s`,
      `longest block ${fmtInt(mv.longestBlockMs)} ms`,
    ];
    if (mv.yieldingToClients) {
      bits.push('yielding to clients');
    }
    const line = el('div', { class: 'mover', 'data-mover': mv.group }, bits.join(' · '));
    if (mv.lastError) {
      line.append(el('span', { class: 'mover-error' }, ' · last error: ' + mv.lastError));
    }
    root.append(line);
  }
}
