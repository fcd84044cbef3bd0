// The admin page. The token typed at login stays in sessionStorage and goes out only as a bearer
// header. Everything from the server — residents' questions above all — enters the page through
// textContent, never as HTML.
//
// The page is ordered by what needs doing: questions the bot missed, answers that may be wrong,
// the fix (hit testing, then adding the wording to the knowledge base with a preview), the record
// of edits, the knowledge files' problems; the statistics come last.
import { barChart, columnChart, shareChart } from './charts.js';
import { button, fillList, fillTable, node, shortText, when } from './dom.js';
import { renderFix } from './fix.js';
import { renderHitTest } from './hit-test.js';

// The page is served at /admin, or at /<id>/admin for each account of ACCOUNTS_FILE: its API is
// beside this script, and each account's token is kept apart (another account's would be refused).
const BASE = new URL('./', import.meta.url).pathname;
const API = `${BASE}api/`;
const TOKEN_KEY = BASE === '/admin/' ? 'gongkai.admin.token' : `gongkai.admin.token:${BASE}`;
const $ = (id) => document.getElementById(id);
const TEXT = {
  network: '网络连接失败，请检查网络后再试。',
  server: '服务暂时不可用，请稍后再试。',
  goneEntry: '（知识库里已没有这个条目）',
};

// ---- the token ----
let memoryToken = null; // when sessionStorage is disabled
function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || memoryToken;
  } catch {
    return memoryToken;
  }
}
function setToken(token) {
  memoryToken = token;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // memory only
  }
}

// ---- talking to the API ----
class Unauthorized extends Error {}

async function api(path, { method = 'GET', body } = {}) {
  let response;
  try {
    response = await fetch(`${API}${path}`, {
      method,
      headers: { Authorization: `Bearer ${getToken() || ''}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store',
    });
  } catch {
    throw new Error(TEXT.network);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  const error = data && typeof data.error === 'string' ? data.error : TEXT.server;
  if (response.status === 401) throw new Unauthorized(error);
  if (!response.ok) throw new Error(error);
  return data;
}

/** Logs out on a refused token; other errors go to `show` (a function taking the message). */
function failed(error, show) {
  if (error instanceof Unauthorized) return logout(error.message);
  if (typeof show === 'function') show(error.message);
}

const entryName = (label) => label || TEXT.goneEntry;
let knowledge = null;

// ---- what needs doing ----
/** A question with its facts under it and the one-tap way to fix it. */
function todoItem(question, facts) {
  const item = node('li', undefined, 'item');
  const head = node('div', undefined, 'item-head');
  head.append(shortText(question, 'item-question'), button('去修正', 'fix-button', () => startFix(question)));
  item.append(head);
  const meta = facts.filter(Boolean);
  if (meta.length) item.append(node('div', meta.join(' · '), 'item-meta'));
  return item;
}

function renderTodo(s, review) {
  fillList(
    $('unanswered'),
    s.unansweredGroups.map((g) => {
      const item = todoItem(g.label, [`问了 ${g.count} 次`, g.wordings > 1 ? `${g.wordings} 种问法` : '', `最近 ${when(g.lastTime)}`]);
      if (g.examples.length) {
        const others = node('div', undefined, 'examples');
        others.append(node('span', '其他问法：'));
        g.examples.forEach((example, i) => {
          if (i) others.append(node('span', '；'));
          others.append(shortText(example, 'example', 30));
        });
        item.append(others);
      }
      return item;
    }),
    '暂无没答上的问题。',
  );
  fillList(
    $('useless'),
    s.feedback.uselessQuestions.map((r) => todoItem(r.question, [`回答的条目：${r.entry ? entryName(r.entryLabel) : '（没有条目）'}`, `${r.count} 次评为没用`])),
    '暂无评为“没用”的回答。',
  );
  fillList(
    $('uncertain'),
    review.uncertain.map((r) => todoItem(r.question, [`回答的条目：${entryName(r.entryLabel)}`, `得分 ${r.confidence}`, `${r.count} 次`])),
    '暂无已回答的问题。',
  );
}

// ---- overview and statistics ----
function renderSummary(s) {
  const t = s.totals;
  $('period').textContent = `${s.period.from} 至 ${s.period.to}，共 ${s.period.days} 天（北京时间）`;
  const asked = t.messages - t.social;
  const items = [
    ['消息', t.messages],
    ['提问', asked],
    ['已回答', t.answered],
    ['未回答', t.unanswered],
    ['回答率', asked ? `${Math.round(t.answerRate * 1000) / 10}%` : '—'],
    ['用户', t.users],
    ['评价有用', s.feedback.useful],
    ['评价没用', s.feedback.useless],
  ];
  $('summary').replaceChildren(
    ...items.map(([name, value]) => {
      const box = node('div', undefined, 'metric');
      box.append(node('dt', name), node('dd', value));
      return box;
    }),
  );
}

function renderStats(s) {
  renderSummary(s);
  columnChart(
    $('chart-daily'),
    s.daily.map((d) => ({ label: d.day.slice(5), values: [d.answered, d.unanswered, d.social] })),
    [
      { name: '已回答', className: 's-answered' },
      { name: '未回答', className: 's-unanswered' },
      { name: '问候等', className: 's-social' },
    ],
    { label: '每日消息量' },
  );
  shareChart(
    $('chart-answered'),
    [
      { name: '已回答', value: s.totals.answered, className: 's-answered' },
      { name: '未回答', value: s.totals.unanswered, className: 's-unanswered' },
      { name: '问候等', value: s.totals.social, className: 's-social' },
    ],
    { label: '已回答与未回答' },
  );
  barChart($('chart-intents'), s.intents.map((i) => ({ label: i.label, value: i.count })), { label: '问题类型' });
  fillTable($('top-questions'), s.topQuestions.map((q) => [shortText(q.question), q.count, q.answered]));
  $('feedback-summary').textContent = `群众评价：有用 ${s.feedback.useful} 次，没用 ${s.feedback.useless} 次。`;
  fillTable($('hits'), s.hits.map((h) => [entryName(h.label), h.count, h.useful, h.useless]));
}

async function loadStats() {
  $('stats-error').textContent = '';
  const days = encodeURIComponent($('days').value);
  const [stats, review] = await Promise.all([api(`stats?days=${days}`), api(`review?days=${days}`)]);
  renderStats(stats);
  renderTodo(stats, review);
  document.body.dataset.stats = 'loaded';
}

// ---- the fix: hit testing, then the wording into the knowledge base ----
async function loadKnowledge() {
  knowledge = await api('knowledge');
  $('who').textContent = `已登录：${knowledge.who}`;
}

async function hitTest(question) {
  const box = $('hit-result');
  try {
    const data = await api('test', { method: 'POST', body: { question } });
    renderHitTest(box, data, knowledge || {});
    renderFix($('fix'), question, {
      knowledge,
      hits: data.hits,
      terms: data.terms,
      call: api,
      fail: (error) => failed(error),
      saved: async () => {
        await Promise.all([loadKnowledge(), loadEdits(), loadFindings(), loadStats()]);
        const again = await api('test', { method: 'POST', body: { question } });
        renderHitTest(box, again, knowledge || {});
      },
    });
  } catch (error) {
    failed(error, (message) => {
      box.replaceChildren(node('p', message, 'error'));
      $('fix').replaceChildren();
    });
  }
}

/** From a question on the page to hit testing it, in one tap. */
function startFix(question) {
  $('hit-question').value = question;
  $('hit-test-card').scrollIntoView({ behavior: 'smooth', block: 'start' });
  void hitTest(question);
}

// ---- the record of edits ----
function editItem(edit) {
  const item = node('li', undefined, 'item edit');
  const head = node('div', undefined, 'item-head');
  head.append(node('span', edit.description, 'edit-description'));
  if (edit.undoable) {
    head.append(
      button('撤销', 'undo', async (event) => {
        const control = event.currentTarget;
        control.disabled = true;
        const result = $('edits-result');
        try {
          const done = await api(`edits/${encodeURIComponent(edit.id)}/undo`, { method: 'POST', body: {} });
          result.className = 'ok';
          result.textContent = `已撤销：${done.edit.description}。${done.message}`;
          await Promise.all([loadKnowledge(), loadEdits(), loadFindings(), loadStats()]);
        } catch (error) {
          failed(error, (message) => {
            result.className = 'error';
            result.textContent = message;
          });
          control.disabled = false;
        }
      }),
    );
  }
  const facts = [`${edit.who} · ${when(edit.time)}`];
  if (edit.undone) facts.push(`已由 ${edit.undone.who} 于 ${when(edit.undone.time)} 撤销`);
  else if (!edit.undoable) facts.push('文件之后又改过，不能在这里撤销');
  item.append(head, node('div', facts.join(' · '), 'item-meta'));
  return item;
}

async function loadEdits() {
  try {
    const { edits } = await api('edits');
    fillList($('edits'), edits.map(editItem), '还没有在这里做过修改。');
  } catch (error) {
    failed(error, (message) => fillList($('edits'), [node('li', message, 'note')]));
  }
}

// ---- knowledge files: problems grouped by what to do, and reload ----
const LEVELS = [
  { level: 'error', title: '错误：必须改正，改正之前知识库的任何改动都不会生效', open: true },
  { level: 'warning', title: '警告：建议检查，机器人照常使用这些文件', open: false },
  { level: 'info', title: '提示', open: false },
];

function renderFindings(findings) {
  const box = $('findings');
  if (!findings.length) {
    box.replaceChildren(node('p', '检查没有发现问题。', 'note'));
    return;
  }
  const parts = [];
  for (const { level, title, open } of LEVELS) {
    const mine = findings.filter((f) => f.level === level);
    if (!mine.length) continue;
    const group = node('details', undefined, `finding-group ${level}`);
    group.open = open;
    group.append(node('summary', `${title}（${mine.length} 条）`));
    const byDocument = new Map();
    for (const f of mine) byDocument.set(f.document, [...(byDocument.get(f.document) || []), f]);
    for (const [document, list] of byDocument) {
      group.append(node('h4', `${document}（${list.length} 条）`));
      const items = node('ul', undefined, 'findings');
      for (const f of list) {
        const item = node('li', undefined, `finding ${f.level}`);
        item.append(node('span', `${f.location}：`, 'location'), shortText(f.message, 'message', 80));
        items.append(item);
      }
      group.append(items);
    }
    parts.push(group);
  }
  box.replaceChildren(...parts);
}

function renderReloadStatus(status) {
  $('reload-status').textContent = status ? `当前知识库载入于 ${when(status.loadedAt)}。上次加载：${status.message}` : '';
}

async function loadFindings() {
  const data = await api('findings');
  const k = data.knowledge;
  $('knowledge-summary').textContent = `报告 ${k.reports} 份，数字 ${k.stats} 个，段落 ${k.passages} 段，指南主题 ${k.topics} 个；错误 ${data.counts.error} 条，警告 ${data.counts.warning} 条。`;
  renderFindings(data.findings);
  renderReloadStatus(data.reload);
}

async function reload() {
  const control = $('reload');
  const result = $('reload-result');
  control.disabled = true;
  result.className = '';
  result.textContent = '正在重新加载…';
  try {
    const data = await api('reload', { method: 'POST' });
    result.textContent = data.message;
    result.className = data.ok ? 'ok' : 'error';
    renderFindings(data.findings);
    renderReloadStatus(data.status);
    await loadKnowledge();
  } catch (error) {
    failed(error, (message) => {
      result.textContent = message;
      result.className = 'error';
    });
  } finally {
    control.disabled = false;
  }
}

// ---- login ----
function showDashboard(on) {
  $('dashboard').hidden = !on;
  $('login').hidden = on;
  $('logout').hidden = !on;
  if (!on) $('who').textContent = '';
}

function logout(message = '') {
  setToken(null);
  knowledge = null;
  showDashboard(false);
  delete document.body.dataset.stats;
  $('login-error').textContent = message;
  $('token').value = '';
  $('token').focus();
}

async function enter() {
  try {
    await Promise.all([loadStats(), loadKnowledge()]);
    showDashboard(true);
    await Promise.all([loadFindings(), loadEdits()]);
  } catch (error) {
    if (error instanceof Unauthorized) return logout(error.message);
    showDashboard(true);
    $('stats-error').textContent = error.message;
  }
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!token) return;
  setToken(token);
  $('login-error').textContent = '';
  await enter();
});
$('logout').addEventListener('click', () => logout());
$('days').addEventListener('change', () => {
  loadStats().catch((error) => failed(error, (message) => ($('stats-error').textContent = message)));
});
$('hit-test').addEventListener('submit', (event) => {
  event.preventDefault();
  const question = $('hit-question').value.trim();
  if (question) void hitTest(question);
});
$('reload').addEventListener('click', reload);

(async () => {
  if (getToken()) await enter();
  else showDashboard(false);
  document.body.dataset.ready = 'true';
})();
