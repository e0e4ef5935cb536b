// Line charts in plain SVG: one line per node over the last five minutes of /api/history samples.
import { svg, el, clear, fmtRate, fmtUsec, shortNode, seriesColor } from './dom.js';

const W = 600;
const H = 170;
const PAD = { left: 58, right: 10, top: 10, bottom: 22 };
const WINDOW_MS = 5 * 60 * 1000;

/**
 * @param nodes /api/history?scope=cluster's nodes, or null when not available
 * @param note  the text to show instead of data
 */
export function renderCharts(nodes, note) {
  const ops = document.getElementById('chart-ops');
  const p99 = document.getElementById('chart-p99');
  const legend = document.getElementById('chart-legend');
  const noteEl = document.getElementById('charts-note');
  noteEl.textContent = note || '';
  const list = (nodes || []).slice().sort((a, b) => String(a.node).localeCompare(String(b.node)));
  const series = list.map((n, i) => ({ name: shortNode(n.node), color: seriesColor(i), samples: n.samples || [] }));
  let now = 0;
  for (const s of series) {
    for (const p of s.samples) {
      now = Math.max(now, p.t);
    }
  }
  lineChart(ops, series, now, (p) => p.ops, fmtRate);
  lineChart(p99, series, now, (p) => p.p99Usec, fmtUsec);
  const key = series.map((s) => s.name + s.color).join();
  if (legend.dataset.key !== key) {
    legend.dataset.key = key;
    clear(legend);
    for (const s of series) {
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = s.color;
      legend.append(el('span', { class: 'legend-item' }, swatch, s.name));
    }
  }
}

function lineChart(root, series, now, value, fmt) {
  clear(root);
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const y0 = H - PAD.bottom;
  const y1 = PAD.top;
  let max = 0;
  for (const s of series) {
    for (const p of s.samples) {
      if (p.t >= now - WINDOW_MS) {
        max = Math.max(max, value(p) || 0);
      }
    }
  }
  if (!now) {
    root.append(svg('text', { x: (x0 + x1) / 2, y: (y0 + y1) / 2, class: 'empty', 'text-anchor': 'middle' }, 'no samples'));
    return;
  }
  max = niceCeiling(max);
  const xOf = (t) => x1 - ((now - t) / WINDOW_MS) * (x1 - x0);
  const yOf = (v) => y0 - (v / max) * (y0 - y1);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = yOf(v);
    root.append(svg('line', { x1: x0, x2: x1, y1: y, y2: y, class: 'grid' }));
    root.append(svg('text', { x: x0 - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, fmt(v)));
  }
  for (let m = 0; m <= 5; m++) {
    const x = x1 - (m / 5) * (x1 - x0);
    root.append(svg('text', { x, y: H - 6, class: 'axis', 'text-anchor': m === 5 ? 'start' : 'middle' },
      m === 0 ? 'now' : `-${m} min`));
  }
  for (const s of series) {
    const points = s.samples.filter((p) => p.t >= now - WINDOW_MS)
      .map((p) => `${xOf(p.t).toFixed(1)},${yOf(value(p) || 0).toFixed(1)}`);
    if (points.length > 0) {
      root.append(svg('polyline', { points: points.join(' '), class: 'line', stroke: s.color },
        svg('title', {}, s.name)));
    }
  }
}

/** 1, 2, 5 × 10^n at or above v (at least 1), so the axis reads in round numbers. */
function niceCeiling(v) {
  if (!(v > 0)) {
    return 1;
  }
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) {
    if (v <= m * p) {
      return m * p;
    }
  }
  return 10 * p;
}
