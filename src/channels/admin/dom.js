// Element helpers for the admin page: text always goes in through textContent.

export function node(tag, text, className) {
  const element = document.createElement(tag);
  if (text !== undefined && text !== null) element.textContent = String(text);
  if (className) element.className = className;
  return element;
}

export function button(text, className, onClick) {
  const element = node('button', text, className);
  element.type = 'button';
  if (onClick) element.addEventListener('click', onClick);
  return element;
}

/** Questions longer than this are shortened, with the whole text a tap away. */
export const SHORT_CHARS = 60;

/**
 * `text` cut to `max` characters with a 全文 button that shows the rest (a resident may paste
 * 2,000 characters into one question); short texts as they are.
 */
export function shortText(text, className = '', max = SHORT_CHARS) {
  const full = String(text);
  const points = Array.from(full);
  const box = node('span', undefined, `short ${className}`.trim());
  if (points.length <= max) {
    box.textContent = full;
    return box;
  }
  const cut = points.slice(0, max).join('') + '…';
  const shown = node('span', cut, 'short-text');
  const toggle = button('全文', 'link more');
  toggle.setAttribute('aria-expanded', 'false');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    shown.textContent = open ? full : cut;
    toggle.textContent = open ? '收起' : '全文';
    toggle.setAttribute('aria-expanded', String(open));
  });
  box.append(shown, toggle);
  return box;
}

/** Fills a table body; a cell is a value, an element, or {text, className}. */
export function fillTable(table, rows, emptyText = '暂无') {
  const body = table.tBodies[0];
  if (!rows.length) {
    const cell = node('td', emptyText, 'empty');
    cell.colSpan = table.tHead.rows[0].cells.length;
    const row = node('tr');
    row.append(cell);
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(
    ...rows.map((cells) => {
      const row = node('tr');
      for (const cell of cells) {
        if (cell instanceof Node) {
          const td = node('td');
          td.append(cell);
          row.append(td);
          continue;
        }
        const isObject = cell !== null && typeof cell === 'object';
        row.append(node('td', isObject ? cell.text : cell, isObject ? cell.className : typeof cell === 'number' ? 'num' : undefined));
      }
      return row;
    }),
  );
}

/** A list's items, or one line saying there is nothing. */
export function fillList(list, items, emptyText = '暂无') {
  list.replaceChildren(...(items.length ? items : [node('li', emptyText, 'empty')]));
}

const time = new Intl.DateTimeFormat('zh-CN', { dateStyle: 'short', timeStyle: 'short', hour12: false });

/** An ISO time as staff read it, in the browser's time zone. */
export function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : time.format(date);
}
