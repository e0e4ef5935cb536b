// Slow log, hot keys and big keys of every node (?scope=cluster), as small tables.
import { el, clear, fmtInt, fmtBytes, fmtUsec, fmtTime, shortNode } from './dom.js';

const ROWS = 12;

function table(root, headers, rows, note) {
  clear(root);
  if (note) {
    root.append(el('p', { class: 'note' }, note));
    return;
  }
  if (rows.length === 0) {
    root.append(el('p', { class: 'note' }, 'nothing yet'));
    return;
  }
  const head = el('tr', {}, headers.map(([h, cls]) => el('th', { class: cls }, h)));
  const body = rows.slice(0, ROWS).map((cellsOf) =>
    el('tr', {}, cellsOf.map((c, i) => el('td', { class: headers[i][1], title: String(c) }, c))));
  root.append(el('table', { class: 'data compact' }, el('thead', {}, head), el('tbody', {}, body)));
}

function errorsNote(body) {
  const errors = body && body.errors ? body.errors : [];
  return errors.length ? 'no answer from ' + errors.map((e) => shortNode(e.address) + ': ' + e.error).join('; ') : '';
}

export function renderSlowlog(root, body, note) {
  const entries = body ? body.entries || [] : [];
  table(root, [['time'], ['node'], ['took', 'num'], ['command'], ['client']],
    entries.map((e) => [fmtTime(e.time * 1000), shortNode(e.node || ''), fmtUsec(e.durationUsec),
      (e.args || []).join(' '), e.client + (e.clientName ? ` (${e.clientName})` : '')]), note);
  appendErrors(root, body);
}

export function renderHotkeys(root, body, note) {
  const keys = body ? body.keys || [] : [];
  table(root, [['key'], ['count', 'num'], ['slot', 'num'], ['group', 'num']],
    keys.map((k) => [k.key, fmtInt(k.count), k.slot, k.group]), note);
  if (body && body.sampleRate !== undefined && !note) {
    root.append(el('p', { class: 'note' }, `counts of a ${body.sampleRate * 100}% sample`));
  }
  appendErrors(root, body);
}

export function renderBigkeys(root, body, note) {
  const keys = body ? body.keys || [] : [];
  table(root, [['time'], ['node'], ['key'], ['command'], ['size', 'num'], ['in']],
    keys.map((k) => [fmtTime(k.time), shortNode(k.node || ''), k.key, k.command, fmtBytes(k.bytes), k.direction]), note);
  appendErrors(root, body);
}

function appendErrors(root, body) {
  const text = errorsNote(body);
  if (text) {
    root.append(el('p', { class: 'note warn' }, text));
  }
}
