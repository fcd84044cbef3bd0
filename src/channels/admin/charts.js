// Small SVG charts built with DOM calls: no library, no inline markup. Every label is set with
// textContent (log questions are residents' input); colours come from classes in page.css.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 320;

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(height, label, width = WIDTH) {
  const root = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'svg-chart' });
  root.append(el('title', {}, label));
  return root;
}

/** Cuts a label to `max` characters (code points), keeping the whole in a tooltip. */
function clip(text, max) {
  const points = Array.from(String(text));
  return points.length <= max ? points.join('') : points.slice(0, max - 1).join('') + '…';
}

function empty(container) {
  const p = document.createElement('p');
  p.className = 'note';
  p.textContent = '暂无数据';
  container.replaceChildren(p);
}

function legend(series) {
  const list = document.createElement('ul');
  list.className = 'legend';
  for (const s of series) {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = `swatch ${s.className}`;
    item.append(swatch, document.createTextNode(s.name));
    list.append(item);
  }
  return list;
}

/** Horizontal bars, one row per item: the label above its bar, the value after it. */
export function barChart(container, rows, { label = '', className = 's-main' } = {}) {
  if (!rows.length) return empty(container);
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowHeight = 34;
  const root = svg(rows.length * rowHeight + 4, label);
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    const g = el('g', { class: 'bar-row' });
    g.append(el('title', {}, `${row.label}：${row.value}`));
    g.append(el('text', { x: 0, y: y + 13, class: 'label' }, clip(row.label, 22)));
    const width = Math.max(2, Math.round((row.value / max) * (WIDTH - 48)));
    g.append(el('rect', { x: 0, y: y + 18, width, height: 12, rx: 2, class: row.className || className }));
    g.append(el('text', { x: width + 4, y: y + 29, class: 'value' }, String(row.value)));
    root.append(g);
  });
  container.replaceChildren(root);
}

/** Stacked columns, one per day; `series` names the stacked parts of `columns[i].values`. */
export function columnChart(container, columns, series, { label = '' } = {}) {
  const total = (c) => c.values.reduce((a, b) => a + b, 0);
  if (!columns.length) return empty(container);
  const max = Math.max(1, ...columns.map(total));
  const top = 14;
  const plot = 120;
  const height = top + plot + 20;
  const left = 28;
  const step = (WIDTH - left) / columns.length;
  const root = svg(height, label);
  root.append(el('line', { x1: left, x2: WIDTH, y1: top, y2: top, class: 'grid' }));
  root.append(el('line', { x1: left, x2: WIDTH, y1: top + plot, y2: top + plot, class: 'axis' }));
  root.append(el('text', { x: left - 4, y: top + 4, class: 'tick end' }, String(max)));
  root.append(el('text', { x: left - 4, y: top + plot, class: 'tick end' }, '0'));
  const every = Math.ceil(columns.length / 6);
  columns.forEach((column, i) => {
    const x = left + i * step + step * 0.15;
    const width = Math.max(1, step * 0.7);
    let y = top + plot;
    const g = el('g', { class: 'column' });
    g.append(el('title', {}, `${column.label}：${series.map((s, k) => `${s.name} ${column.values[k]}`).join('，')}`));
    column.values.forEach((value, k) => {
      if (!value) return;
      const h = (value / max) * plot;
      y -= h;
      g.append(el('rect', { x: x.toFixed(1), y: y.toFixed(1), width: width.toFixed(1), height: h.toFixed(1), class: series[k].className }));
    });
    if (i % every === 0 || i === columns.length - 1) {
      g.append(el('text', { x: (x + width / 2).toFixed(1), y: height - 4, class: 'tick middle' }, column.label));
    }
    root.append(g);
  });
  container.replaceChildren(root, legend(series));
}

/** One bar split into parts, with shares: answered, unanswered, other. */
export function shareChart(container, parts, { label = '' } = {}) {
  const sum = parts.reduce((a, p) => a + p.value, 0);
  if (!sum) return empty(container);
  const root = svg(52, label);
  let x = 0;
  for (const part of parts) {
    if (!part.value) continue;
    const width = (part.value / sum) * WIDTH;
    const g = el('g', { class: 'share' });
    const share = `${Math.round((part.value / sum) * 100)}%`;
    g.append(el('title', {}, `${part.name}：${part.value}（${share}）`));
    g.append(el('rect', { x: x.toFixed(1), y: 0, width: width.toFixed(1), height: 28, class: part.className }));
    if (width > 36) g.append(el('text', { x: (x + width / 2).toFixed(1), y: 46, class: 'tick middle' }, share));
    root.append(g);
    x += width;
  }
  container.replaceChildren(root, legend(parts.map((p) => ({ name: `${p.name} ${p.value}`, className: p.className }))));
}
