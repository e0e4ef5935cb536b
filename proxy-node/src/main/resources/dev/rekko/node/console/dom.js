// DOM and formatting helpers. Text from the server only ever enters the page as textContent or as an
// attribute value, never as markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** el('td', {class: 'num', 'data-x': 1}, 'text', childNode, ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k.startsWith('on') && typeof v === 'function') {
      node.addEventListener(k.slice(2), v);
    } else {
      node.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

function append(node, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) {
      continue;
    }
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function byId(id) {
  return document.getElementById(id);
}

/** Sets textContent only when it differs: no layout work for the many cells that stay the same. */
export function setText(node, text) {
  const s = String(text);
  if (node.textContent !== s) {
    node.textContent = s;
  }
}

export function clear(node) {
  node.replaceChildren();
}

export function fmtInt(n) {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US');
}

export function fmtRate(n) {
  if (n === null || n === undefined) {
    return '—';
  }
  return n >= 1000 ? fmtInt(n) : (Math.round(n * 10) / 10).toString();
}

export function fmtBytes(n) {
  if (n === null || n === undefined) {
    return '—';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + units[i];
}

export function fmtSeconds(s) {
  if (s === null || s === undefined || s < 0) {
    return '—';
  }
  if (s < 60) {
    return Math.round(s) + ' s';
  }
  if (s < 3600) {
    return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
  }
  return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
}

export function fmtUsec(us) {
  if (us === null || us === undefined) {
    return '—';
  }
  return us >= 1000 ? (us / 1000).toFixed(us >= 100000 ? 0 : 1) + ' ms' : Math.round(us) + ' µs';
}

export function fmtTime(ms) {
  return new Date(ms).toLocaleTimeString('en-GB');
}

/** "pekko://rekko@127.0.0.1:2551" → "127.0.0.1:2551" */
export function shortNode(address) {
  const at = String(address || '').lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1) : String(address || '');
}

/** A colour per group, far apart for neighbouring ids (golden angle); group 0 (none) is grey. */
export function groupColor(group) {
  if (!group) {
    return '#c9ccd1';
  }
  const hue = Math.round((group * 137.508 + 200) % 360);
  return `hsl(${hue} 58% 52%)`;
}

/** A colour per node index, for the charts. */
export function seriesColor(i) {
  const palette = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  return palette[i % palette.length];
}
