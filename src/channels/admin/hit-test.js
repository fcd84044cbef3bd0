// The hit-testing result: how the engine read a question, the entries it matched with their scores
// and bands, and the reply it would give. The question is the tester's input: text only. Entries
// are shown by name and kind, never by id.
import { node, shortText } from './dom.js';

const KINDS = { guide: '指南主题', stat: '年报表格', figure: '年报数字', passage: '报告段落' };

/** What kind of entry an id names ("guide:fees" → 指南主题). */
export function entryKind(id) {
  return KINDS[String(id).split(':')[0]] || '知识条目';
}

/** `labels.intents` names intents (statistic → 年报数字); without it the intent shows as is. */
export function renderHitTest(box, data, labels = {}) {
  const intents = labels.intents || {};
  const head = node('p', undefined, 'band-line');
  head.append(node('span', '区间：'), node('span', data.bandLabel, `band band-${data.band}`));
  head.append(node('span', `（直接回答 ≥ ${data.thresholds.answer}，您是不是想问 ≥ ${data.thresholds.suggest}，更低为兜底）`, 'note'));
  const asked = node('p', undefined, 'asked');
  asked.append(node('span', '问题：'), shortText(data.question, 'asked-text'));
  const terms = node('p', `分词：${data.terms.join(' / ') || '（无）'}`, 'note');
  // Why the reply is what it is: the score against the thresholds, or the rule that decided.
  const reason = node('p', undefined, 'reason');
  reason.append(node('span', '原因：'), node('span', data.reason ?? '', 'reason-text'));

  const table = node('table', undefined, 'hits-table');
  const header = node('tr');
  for (const title of ['得分', '条目', '区间']) header.append(node('th', title));
  const thead = node('thead');
  thead.append(header);
  const tbody = node('tbody');
  for (const hit of data.hits) {
    const row = node('tr');
    const name = node('td');
    name.append(node('div', hit.question), node('div', entryKind(hit.id), 'entry-kind'));
    row.append(node('td', hit.score.toFixed(3), 'num'), name, node('td', hit.bandLabel, `band band-${hit.band}`));
    tbody.append(row);
  }
  if (!data.hits.length) {
    const cell = node('td', '没有匹配到任何条目', 'empty');
    cell.colSpan = 3;
    const row = node('tr');
    row.append(cell);
    tbody.append(row);
  }
  table.append(thead, tbody);
  const wrap = node('div', undefined, 'table-wrap');
  wrap.append(table);

  const reply = node('div', undefined, 'reply');
  const intent = intents[data.reply.intent] || data.reply.intent;
  reply.append(node('div', `机器人会这样回答（${intent}，置信度 ${data.reply.confidence}）：`, 'note'), node('div', data.reply.text, 'reply-text'));
  box.replaceChildren(head, asked, reason, terms, wrap, reply);
}
