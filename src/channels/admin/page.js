// The admin page. The token typed at login stays in sessionStorage and goes out only as a bearer
// header. Everything from the server — residents' questions above all — enters the page through
// textContent, never as HTML.
import { barChart, columnChart, shareChart } from './charts.js';
import { fillTable, node } from './dom.js';
import { renderHitTest } from './hit-test.js';

const TOKEN_KEY = 'gongkai.admin.token';
const $ = (id) => document.getElementById(id);
const TEXT = {
  network: '网络连接失败，请检查网络后再试。',
  server: '服务暂时不可用，请稍后再试。',
  loggedOut: '登录已失效，请重新输入管理口令。',
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
    response = await fetch(`/admin/api/${path}`, {
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

const entryName = (label, entry) => label || entry || '—';

// ---- stats ----
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
  barChart(
    $('chart-unanswered'),
    s.unansweredGroups.slice(0, 10).map((g) => ({ label: g.label, value: g.count })),
    { label: '未回答的问题', className: 's-unanswered' },
  );

  const list = $('unanswered');
  list.replaceChildren(
    ...s.unansweredGroups.map((g) => {
      const item = node('li');
      item.append(node('span', g.label, 'group-label'), node('span', `×${g.count}`, 'count'));
      if (g.wordings > 1) item.append(node('span', `${g.wordings} 种问法`, 'badge'));
      if (g.examples.length) item.append(node('div', `其他问法：${g.examples.join('；')}`, 'examples'));
      return item;
    }),
  );
  if (!s.unansweredGroups.length) list.replaceChildren(node('li', '暂无未回答的问题', 'note'));

  fillTable($('top-questions'), s.topQuestions.map((q) => [q.question, q.count, q.answered]));
  fillTable($('low-confidence'), s.lowConfidence.map((r) => [r.question, entryName(r.entryLabel, r.entry), r.confidence, r.count]));
  $('feedback-summary').textContent = `有用 ${s.feedback.useful} 次，没用 ${s.feedback.useless} 次。`;
  fillTable($('feedback'), s.feedback.uselessQuestions.map((r) => [r.question, entryName(r.entryLabel, r.entry), r.count]));
  fillTable($('hits'), s.hits.map((h) => [entryName(h.label, h.entry), h.count, h.useful, h.useless]));
}

async function loadStats() {
  $('stats-error').textContent = '';
  const stats = await api(`stats?days=${encodeURIComponent($('days').value)}`);
  renderStats(stats);
  document.body.dataset.stats = 'loaded';
}

// ---- knowledge base: findings and reload ----
const LEVELS = { error: '错误', warning: '警告', info: '提示' };

function renderFindings(findings) {
  const list = $('findings');
  if (!findings.length) {
    list.replaceChildren(node('li', '没有发现问题。', 'note'));
    return;
  }
  list.replaceChildren(
    ...findings.map((f) => {
      const item = node('li', undefined, `finding ${f.level}`);
      item.append(node('span', LEVELS[f.level] || f.level, 'badge'), node('span', ` ${f.document} ${f.location}：`), node('span', f.message));
      return item;
    }),
  );
}

function renderReloadStatus(status) {
  $('reload-status').textContent = status
    ? `当前知识库载入于 ${new Date(status.loadedAt).toLocaleString('zh-CN', { hour12: false })}。上次加载：${status.message}`
    : '';
}

async function loadFindings() {
  const data = await api('findings');
  const k = data.knowledge;
  $('knowledge-summary').textContent = `报告 ${k.reports} 份，数字 ${k.stats} 个，段落 ${k.passages} 段，指南主题 ${k.topics} 个；错误 ${data.counts.error} 条，警告 ${data.counts.warning} 条。`;
  renderFindings(data.findings);
  renderReloadStatus(data.reload);
}

async function reload() {
  const button = $('reload');
  const result = $('reload-result');
  button.disabled = true;
  result.className = '';
  result.textContent = '正在重新加载…';
  try {
    const data = await api('reload', { method: 'POST' });
    result.textContent = data.message;
    result.className = data.ok ? 'ok' : 'error';
    renderFindings(data.findings);
    renderReloadStatus(data.status);
  } catch (error) {
    if (error instanceof Unauthorized) return logout(error.message);
    result.textContent = error.message;
    result.className = 'error';
  } finally {
    button.disabled = false;
  }
}

// ---- hit testing ----
async function hitTest(event) {
  event.preventDefault();
  const question = $('hit-question').value.trim();
  if (!question) return;
  try {
    renderHitTest($('hit-result'), await api('test', { method: 'POST', body: { question } }));
  } catch (error) {
    if (error instanceof Unauthorized) return logout(error.message);
    $('hit-result').replaceChildren(node('p', error.message, 'error'));
  }
}

// ---- login ----
function showDashboard(on) {
  $('dashboard').hidden = !on;
  $('login').hidden = on;
  $('logout').hidden = !on;
}

function logout(message = '') {
  setToken(null);
  showDashboard(false);
  delete document.body.dataset.stats;
  $('login-error').textContent = message;
  $('token').value = '';
  $('token').focus();
}

async function enter() {
  try {
    await loadStats();
    showDashboard(true);
    await loadFindings();
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
  loadStats().catch((error) => {
    if (error instanceof Unauthorized) logout(error.message);
    else $('stats-error').textContent = error.message;
  });
});
$('hit-test').addEventListener('submit', hitTest);
$('reload').addEventListener('click', reload);

(async () => {
  if (getToken()) await enter();
  else showDashboard(false);
  document.body.dataset.ready = 'true';
})();
