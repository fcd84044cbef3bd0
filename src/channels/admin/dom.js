// Element helpers for the admin page: text always goes in through textContent.

export function node(tag, text, className) {
  const element = document.createElement(tag);
  if (text !== undefined && text !== null) element.textContent = String(text);
  if (className) element.className = className;
  return element;
}

/** Fills a table body; a cell is a value or {text, className}. */
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
        const isObject = cell !== null && typeof cell === 'object';
        row.append(node('td', isObject ? cell.text : cell, isObject ? cell.className : typeof cell === 'number' ? 'num' : undefined));
      }
      return row;
    }),
  );
}
