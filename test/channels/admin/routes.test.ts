// The admin API through app.request(), with the real bot on the real knowledge directory.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type RunningBot } from '../../../src/answer/bot.ts';
import { Engine } from '../../../src/answer/engine.ts';
import { ADMIN_ERRORS, bearerMatches, createAdmin, MAX_TEST_BODY_BYTES, type KnowledgeReloader } from '../../../src/channels/admin/routes.ts';
import { loadConfig, parseAdminTokens } from '../../../src/config.ts';
import { silentLogger } from '../../../src/log.ts';
import { createApp, loadChannels } from '../../../src/server.ts';
import { QUESTIONS_FILE } from '../../../src/store/question-log.ts';
import { FakeBot } from '../../helpers/fake-bot.ts';
// createApp mounts the webhook and the admin page only once their modules are loaded (startServer loads them).
await loadChannels();

const TOKEN = 'admin-token-for-tests-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

let dataDir: string;
let bot: RunningBot;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'admin-api-'));
  bot = await createBot({ knowledgeDir: 'knowledge', dataDir, logger: silentLogger });
  await bot.answer('怎么申请政府信息公开？', 'resident-1', { channel: 'web' });
  await bot.answer('有用', 'resident-1', { channel: 'web' });
  // What the engine misses changes as it improves: the misses are logged as the bot logs them.
  const miss = { intent: 'unknown', entry: null, confidence: 0.2, answered: false };
  bot.store.log.append({ channel: 'wechat', userId: 'resident-2', question: '马铃薯补贴怎么领', ...miss });
  bot.store.log.append({ channel: 'wechat', userId: 'resident-3', question: '土豆补贴在哪领', ...miss });
  bot.store.log.append({ channel: 'web', userId: 'resident-4', question: '马铃薯补贴多少钱', ...miss });
  bot.store.log.append({ channel: 'web', userId: 'resident-5', question: '<script>alert(1)</script>', ...miss });
}, 60_000);

afterAll(async () => {
  await bot?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function app(env: Record<string, string> = { ADMIN_TOKEN: TOKEN }, reloader?: KnowledgeReloader) {
  return createApp({ bot, config: loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env }), logger: silentLogger, reloader });
}

const post = (body: string, headers: Record<string, string> = auth) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body,
});

describe('admin without ADMIN_TOKEN', () => {
  it('answers 404 everywhere under /admin and shows nothing of the log', async () => {
    const a = app({});
    for (const url of ['/admin', '/admin/', '/admin/page.js', '/admin/api/stats', '/admin/api/findings']) {
      const res = await a.request(url, { headers: auth });
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain('马铃薯');
    }
    expect((await a.request('/admin/api/test', post('{"question":"网站"}'))).status).toBe(404);
    expect((await a.request('/admin/api/reload', { method: 'POST', headers: auth })).status).toBe(404);
  });

  it('stays off for a bot without engine or store', async () => {
    const a = createApp({ bot: new FakeBot(), config: loadConfig({ PORT: '0', ADMIN_TOKEN: TOKEN }), logger: silentLogger });
    expect((await a.request('/admin', { headers: auth })).status).toBe(404);
  });
});

describe('admin page', () => {
  it('serves the page without any data, under a CSP that allows only its own scripts', async () => {
    const res = await app().request('/admin');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('问答后台');
    expect(html).toContain('<script type="module" src="/admin/page.js"></script>');
    expect(html).not.toMatch(/马铃薯|resident|土豆/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-robots-tag')).toContain('noindex');
    const slash = await app().request('/admin/');
    expect(slash.status).toBe(301);
    expect(slash.headers.get('location')).toBe('/admin');
    for (const [file, type] of [['page.js', 'javascript'], ['charts.js', 'javascript'], ['dom.js', 'javascript'], ['hit-test.js', 'javascript'], ['fix.js', 'javascript'], ['page.css', 'css']]) {
      const asset = await app().request(`/admin/${file}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toContain(type);
    }
  });
});

describe('admin API authentication', () => {
  it('refuses a request without a token with 401 in Chinese', async () => {
    const res = await app().request('/admin/api/stats');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: ADMIN_ERRORS.noToken });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a wrong token, another scheme, or the token with extra characters', async () => {
    for (const header of [`Bearer wrong`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
      for (const [url, init] of [
        ['/admin/api/stats', {}],
        ['/admin/api/findings', {}],
        ['/admin/api/test', post('{"question":"网站"}', {})],
        ['/admin/api/reload', { method: 'POST' }],
      ] as const) {
        const res = await app().request(url, { ...init, headers: { ...('headers' in init ? init.headers : {}), Authorization: header } });
        expect(res.status, `${header} ${url}`).toBe(401);
        expect(await res.json()).toEqual({ error: ADMIN_ERRORS.badToken });
      }
    }
  });

  it('takes every token of ADMIN_TOKENS beside ADMIN_TOKEN, and only those', async () => {
    const a = app({ ADMIN_TOKEN: TOKEN, ADMIN_TOKENS: '王会计:wang-token-0123,li:li-token-4567' });
    for (const [token, who] of [[TOKEN, 'admin'], ['wang-token-0123', '王会计'], ['li-token-4567', 'li']]) {
      const res = await a.request('/admin/api/knowledge', { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status, who).toBe(200);
      expect((await res.json()).who).toBe(who);
    }
    for (const token of ['wang-token-012', 'li-token-4567x', 'li:li-token-4567']) {
      expect((await a.request('/admin/api/stats', { headers: { Authorization: `Bearer ${token}` } })).status, token).toBe(401);
    }
    const only = app({ ADMIN_TOKENS: 'li:li-token-4567' });
    expect((await only.request('/admin/api/stats', { headers: { Authorization: 'Bearer li-token-4567' } })).status).toBe(200);
    expect((await only.request('/admin')).status).toBe(200);
  });

  it('refuses a malformed ADMIN_TOKENS naming the entry, never the token', () => {
    const problems = (value: string, single?: string) => {
      const { problems } = parseAdminTokens(value, single);
      for (const p of problems) expect(p).not.toMatch(/secret-token/);
      return problems;
    };
    expect(parseAdminTokens(' 王会计 : secret-token-1 ,, li:secret-token-2', 'secret-token-0').tokens).toEqual([
      { label: 'admin', token: 'secret-token-0' },
      { label: '王会计', token: 'secret-token-1' },
      { label: 'li', token: 'secret-token-2' },
    ]);
    expect(problems('secret-token-1')).toEqual([expect.stringContaining('ADMIN_TOKENS 第 1 项')]);
    expect(problems('a:short')).toHaveLength(1);
    expect(problems('a b:secret-token-1')).toHaveLength(1);
    expect(problems('a:秘密的口令秘密的口令')).toHaveLength(1); // a browser cannot send it in a header
    expect(problems('a:secret-token-1,a:secret-token-2')).toEqual([expect.stringContaining('“a”重复')]);
    expect(problems('admin:secret-token-1', 'secret-token-0')).toEqual([expect.stringContaining('“admin”重复')]);
    expect(problems('a:secret-token-1,b:secret-token-1')).toEqual([expect.stringContaining('（b）：口令与另一项相同')]);
    expect(() => loadConfig({ ADMIN_TOKENS: 'x:secret-token-1,nonsense' })).toThrow(/ADMIN_TOKENS 第 2 项/);
    expect(loadConfig({}).adminTokens).toEqual([]);
  });

  it('compares tokens by digest', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer  ${TOKEN} `, TOKEN)).toBe(true);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer', TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN} extra`, TOKEN)).toBe(false);
  });
});

describe('GET /admin/api/stats', () => {
  it('returns the stats of the log with entries named, and no raw user ids', async () => {
    const res = await app().request('/admin/api/stats?days=7', { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const stats = await res.json();
    expect(stats.period.days).toBe(7);
    expect(stats.totals).toMatchObject({ messages: 5, answered: 1, unanswered: 4 });
    expect(stats.unansweredGroups.map((g: { count: number; wordings: number }) => [g.count, g.wordings])).toEqual([
      [3, 3],
      [1, 1],
    ]);
    expect(stats.unansweredGroups[1].label).toBe('<script>alert(1)</script>');
    expect(stats.hits).toEqual([{ entry: 'guide:apply', count: 1, useful: 1, useless: 0, label: '怎样申请政府信息公开' }]);
    expect(stats.feedback).toMatchObject({ useful: 1, useless: 0 });
    expect(stats.channels.map((c: { channel: string }) => c.channel).sort()).toEqual(['web', 'wechat']);
    expect(JSON.stringify(stats)).not.toContain('resident-');
  });

  it('refuses a bad period', async () => {
    for (const days of ['0', '367', '1.5', 'abc', '']) {
      const res = await app().request(`/admin/api/stats?days=${days}`, { headers: auth });
      expect(res.status, days).toBe(400);
      expect(await res.json()).toEqual({ error: ADMIN_ERRORS.days });
    }
  });
});

describe('POST /admin/api/test', () => {
  async function test(question: string) {
    const res = await app().request('/admin/api/test', post(JSON.stringify({ question })));
    expect(res.status).toBe(200);
    return res.json();
  }

  it('shows hits, scores, the band and the reply, without touching the log or any session', async () => {
    await bot.store.flush();
    const entries = bot.store.log.entries().length;
    const sessions = bot.store.sessions.size;
    const file = await readFile(path.join(dataDir, QUESTIONS_FILE), 'utf8');

    const direct = await test('怎么申请政府信息公开？');
    expect(direct.band).toBe('answer');
    expect(direct.bandLabel).toBe('直接回答');
    expect(direct.thresholds).toEqual({ answer: bot.engine.thresholds.answer, suggest: bot.engine.thresholds.suggest });
    expect(direct.hits[0]).toMatchObject({ id: 'guide:apply', question: '怎样申请政府信息公开', band: 'answer', bandLabel: '直接回答' });
    expect(direct.hits[0].score).toBeGreaterThanOrEqual(direct.thresholds.answer);
    expect(direct.reply).toMatchObject({ intent: 'guide', answered: true, entry: 'guide:apply' });
    expect(direct.reply.text).toContain('怎样申请政府信息公开');
    expect(direct.terms.length).toBeGreaterThan(0);

    const miss = await test('马铃薯补贴怎么领');
    expect(miss.band).toBe('fallback');
    expect(miss.bandLabel).toBe('兜底');
    expect(miss.reply.answered).toBe(false);

    const markup = await test('<script>alert(1)</script>');
    expect(markup.question).toBe('<script>alert(1)</script>');

    await bot.store.flush();
    expect(bot.store.log.entries()).toHaveLength(entries);
    expect(bot.store.sessions.size).toBe(sessions);
    expect(await readFile(path.join(dataDir, QUESTIONS_FILE), 'utf8')).toBe(file);
  });

  it('names the band between the thresholds 您是不是想问, by the engine\'s own thresholds', async () => {
    // The real knowledge base answers almost every word outright: raise the bar instead.
    const engine = new Engine(bot.engine.kb, () => new Date(), { answer: 1.5, suggest: 0.5 });
    const admin = createAdmin({ bot: { engine, store: bot.store }, token: TOKEN, logger: silentLogger });
    const res = await admin.request('/api/test', post(JSON.stringify({ question: '怎么申请政府信息公开' })));
    const body = await res.json();
    expect(body.band).toBe('suggest');
    expect(body.bandLabel).toBe('您是不是想问');
    expect(body.thresholds).toEqual({ answer: 1.5, suggest: 0.5 });
    expect(body.reply.intent).toBe('clarify');
    expect(body.reply.text).toContain('您是不是想问');
    const labels = { answer: '直接回答', suggest: '您是不是想问', fallback: '兜底' } as Record<string, string>;
    for (const hit of body.hits) {
      expect(hit.band).toBe(hit.score >= 1.5 ? 'answer' : hit.score >= 0.5 ? 'suggest' : 'fallback');
      expect(hit.bandLabel).toBe(labels[hit.band]);
    }
  });

  it('refuses bad bodies', async () => {
    const cases: [string, number, string][] = [
      ['not json', 400, ADMIN_ERRORS.notJson],
      ['{}', 400, ADMIN_ERRORS.noQuestion],
      ['{"question":"  "}', 400, ADMIN_ERRORS.noQuestion],
      ['{"question":42}', 400, ADMIN_ERRORS.noQuestion],
      ['null', 400, ADMIN_ERRORS.noQuestion],
      [JSON.stringify({ question: '问'.repeat(2001) }), 400, ADMIN_ERRORS.noQuestion],
      [JSON.stringify({ question: 'x'.repeat(MAX_TEST_BODY_BYTES) }), 413, ADMIN_ERRORS.tooLarge],
    ];
    for (const [body, status, error] of cases) {
      const res = await app().request('/admin/api/test', post(body));
      expect(res.status, body.slice(0, 20)).toBe(status);
      expect(await res.json()).toEqual({ error });
    }
  });
});

describe('findings and reload', () => {
  it('lists the knowledge base findings, with no reload status without a reloader', async () => {
    const res = await app().request('/admin/api/findings', { headers: auth });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.findings).toEqual(bot.engine.kb.findings);
    expect(body.knowledge.reports).toBe(bot.engine.kb.reports.length);
    expect(body.counts.error + body.counts.warning + body.counts.info).toBe(body.findings.length);
    expect(body.reload).toBeNull();
  });

  it('answers 503 with an explanation when no reloader is configured', async () => {
    const res = await app().request('/admin/api/reload', { method: 'POST', headers: auth });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: ADMIN_ERRORS.noReloader });
  });

  it('runs the injected reloader and reports its result and status', async () => {
    const reasons: (string | undefined)[] = [];
    const status = { loadedAt: '2024-03-10T04:00:00.000Z', ok: true, message: '已载入 1 份报告' };
    const reloader: KnowledgeReloader = {
      async reload(reason) {
        reasons.push(reason);
        return { ok: false, message: '未更新：reports/2020.txt 第 3 行读不出年份', findings: [{ level: 'error', document: 'reports/2020.txt', location: '标题', message: '读不出报告的年份' }] };
      },
      status: () => status,
    };
    const a = app({ ADMIN_TOKEN: TOKEN }, reloader);
    const res = await a.request('/admin/api/reload', { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: false,
      message: '未更新：reports/2020.txt 第 3 行读不出年份',
      findings: [{ level: 'error', document: 'reports/2020.txt', location: '标题', message: '读不出报告的年份' }],
      status,
    });
    expect(reasons).toEqual(['admin']);
    expect((await (await a.request('/admin/api/findings', { headers: auth })).json()).reload).toEqual(status);
  });

  it('answers 500 in Chinese when the reloader throws', async () => {
    const reloader: KnowledgeReloader = {
      reload: () => Promise.reject(new Error('disk on fire /secret/path')),
      status: () => ({ loadedAt: new Date(0).toISOString(), ok: true, message: '' }),
    };
    const res = await app({ ADMIN_TOKEN: TOKEN }, reloader).request('/admin/api/reload', { method: 'POST', headers: auth });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: ADMIN_ERRORS.reloadFailed });
    expect(text).not.toContain('secret');
  });
});

describe('GET /admin/api/review', () => {
  it('lists the answered questions with the lowest confidence, entries named, exact picks left out', async () => {
    const hit = { channel: 'web', intent: 'guide', answered: true };
    bot.store.log.append({ ...hit, userId: 'resident-6', question: '办事要花钱不', entry: 'guide:fees', confidence: 0.71 });
    bot.store.log.append({ ...hit, userId: 'resident-7', question: '办事要花钱不', entry: 'guide:fees', confidence: 0.64 });
    bot.store.log.append({ ...hit, userId: 'resident-8', question: '在哪申请', entry: 'guide:apply', confidence: 0.83 });
    const res = await app().request('/admin/api/review?days=30', { headers: auth });
    expect(res.status).toBe(200);
    const { uncertain } = await res.json();
    const confidences = uncertain.map((r: { confidence: number }) => r.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b));
    expect(confidences.every((c: number) => c < 1)).toBe(true);
    expect(uncertain).toEqual([
      expect.objectContaining({ question: '办事要花钱不', entry: 'guide:fees', entryLabel: '申请要收费吗', confidence: 0.64, count: 2 }),
      expect.objectContaining({ question: '在哪申请', entry: 'guide:apply', entryLabel: '怎样申请政府信息公开', confidence: 0.83, count: 1 }),
    ]);
    expect((await app().request('/admin/api/review?days=0', { headers: auth })).status).toBe(400);
  });
});
