// The admin page in a real browser on a phone: Debian's chromium driven by playwright-core against
// the real HTTP server (ephemeral port) and the real bot, with a fake knowledge reloader (saving
// edits against a running server is test/e2e/clerk-loop.browser.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPhonePage, skipWithoutChromium } from '../../helpers/browser.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBot, type RunningBot } from '../../../src/answer/bot.ts';
import type { KnowledgeReloader } from '../../../src/channels/admin/routes.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/log.ts';
import { startServer, type ServerHandle } from '../../../src/server.ts';
import { DEFAULT_MAX_QUESTION_LENGTH } from '../../../src/store/question-log.ts';
import { POTATO_SUBSIDY_WORDINGS } from '../../fixtures/admin/unanswered.ts';

const TOKEN = 'browser-test-admin-token-42';
const XSS = '<script>alert("x")</script><img src=x onerror=alert(2)>低保怎么办';
/** A resident who pasted a whole letter into one question (test data). */
const LETTER = `我想反映一个情况，${'村里的路一直没有修，'.repeat(150)}请问找谁？`;
const POTATO = [...POTATO_SUBSIDY_WORDINGS, '马铃薯补贴怎么领'];
const RELOAD_MESSAGE = '已重新载入：报告 1 份，指南主题 30 个';

const skip = skipWithoutChromium('admin page.browser.test');

describe.skipIf(skip)('admin page in chromium', { timeout: 60_000 }, () => {
  let dataDir: string;
  let bot: RunningBot;
  let server: ServerHandle;
  let browser: Browser;
  let page: Page;
  let dialogs: string[];
  let problems: string[];
  const reloads: (string | undefined)[] = [];
  const reloader: KnowledgeReloader = {
    async reload(reason) {
      reloads.push(reason);
      return { ok: true, message: RELOAD_MESSAGE, findings: [{ level: 'warning', document: 'reports/<b>x</b>.txt', location: '第 1 行', message: '<i>标题</i>不完整' }] };
    },
    status: () => ({ loadedAt: '2024-03-10T04:00:00.000Z', ok: true, message: '启动时载入' }),
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'admin-browser-'));
    bot = await createBot({ knowledgeDir: 'knowledge', dataDir, logger: silentLogger });
    const miss = { intent: 'unknown', entry: null, confidence: 0.2, answered: false };
    POTATO.forEach((question, i) => bot.store.log.append({ channel: i % 2 ? 'web' : 'wechat', userId: `r${i}`, question, ...miss }));
    bot.store.log.append({ channel: 'web', userId: 'x', question: XSS, ...miss });
    bot.store.log.append({ channel: 'web', userId: 'y', question: LETTER, ...miss });
    await bot.answer('怎么申请政府信息公开？', 'resident', { channel: 'web' });
    await bot.answer('没用', 'resident', { channel: 'web' });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: TOKEN, DATA_DIR: dataDir });
    server = await startServer({ bot, config, logger: silentLogger, reloader });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await bot?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    dialogs = [];
    problems = [];
    page = await openPhonePage(browser, `${server.url}/admin`, { dialogs, problems }, { width: 390, height: 844 });
  });

  afterEach(async () => {
    await page.close();
  });

  async function login(token = TOKEN): Promise<void> {
    await page.fill('#token', token);
    await page.click('#login-button');
  }

  async function loggedIn(): Promise<void> {
    await login();
    await page.waitForSelector('body[data-stats="loaded"]');
    await expect.poll(() => page.locator('#findings details').count()).toBeGreaterThan(0);
  }

  it('asks for the token first and shows no data before login', async () => {
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    expect(await page.content()).not.toContain('马铃薯');
  });

  it('refuses a wrong token with the server\'s Chinese message', async () => {
    await login('not-the-token');
    await expect.poll(() => page.textContent('#login-error')).toBe('管理口令不正确。');
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    problems = problems.filter((p) => !p.includes('401')); // the browser logs the refused request
    expect(problems).toEqual([]);
  });

  it('logs in, puts what needs doing first, and draws the charts, fitting a 390 px phone', async () => {
    await loggedIn();
    expect(await page.textContent('#who')).toBe('已登录：admin');
    for (const chart of ['#chart-daily', '#chart-answered', '#chart-intents']) {
      expect(await page.locator(`${chart} svg`).count(), chart).toBe(1);
      expect(await page.locator(`${chart} svg rect`).count(), chart).toBeGreaterThan(0);
    }
    const cards = await page.locator('#dashboard > section').evaluateAll((all) => all.map((s) => s.id));
    expect(cards.indexOf('todo-unanswered')).toBeLessThan(cards.indexOf('hit-test-card'));
    expect(cards.indexOf('todo-check')).toBeLessThan(cards.indexOf('hit-test-card'));
    const first = page.locator('#unanswered li').first();
    expect(await first.locator('.item-question').innerText()).toBe('马铃薯补贴怎么领');
    expect(await first.locator('.item-meta').innerText()).toContain('问了 10 次');
    expect(await page.locator('#useless').innerText()).toContain('怎么申请政府信息公开？');
    expect(await page.locator('#useless').innerText()).toContain('回答的条目：怎样申请政府信息公开');
    expect(await page.locator('#hits tbody').innerText()).toContain('怎样申请政府信息公开');
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
  });

  it('shortens a long question, with the whole text on demand, and never blows up a card', async () => {
    await loggedIn();
    const letter = page.locator('#unanswered li', { hasText: '我想反映一个情况' });
    const text = letter.locator('.item-question');
    expect([...(await text.locator('.short-text').innerText())].length).toBeLessThanOrEqual(61);
    const card = (await page.locator('#todo-unanswered').boundingBox())!;
    expect(card.height).toBeLessThan(1200);
    await text.locator('button.more').tap();
    expect(await text.locator('.short-text').innerText()).toBe([...LETTER].slice(0, DEFAULT_MAX_QUESTION_LENGTH).join('')); // as the log keeps it
    expect(await text.locator('button.more').innerText()).toBe('收起');
    expect(await page.locator('#top-questions tbody').innerText()).not.toContain(LETTER);
  });

  it('names knowledge entries as residents are offered them, never by id', async () => {
    await loggedIn();
    await page.locator('#unanswered button.fix-button').first().tap();
    await page.waitForSelector('#hit-result .band-line');
    const text = await page.locator('#dashboard').innerText();
    expect(text).not.toMatch(/\b(stat|figure|guide|passage):/);
    expect(await page.locator('#hit-result .entry-kind').first().innerText()).toMatch(/^(指南主题|年报表格|年报数字|报告段落)$/);
  });

  it('takes a missed question to hit testing in one tap, with the fix form under it', async () => {
    await loggedIn();
    await page.locator('#unanswered li').first().locator('button.fix-button').tap();
    await page.waitForSelector('#hit-result .band-line');
    expect(await page.inputValue('#hit-question')).toBe('马铃薯补贴怎么领');
    expect(await page.locator('#hit-result .band-line .band').innerText()).toBe('兜底');
    expect(await page.inputValue('#fix-wording')).toBe('马铃薯补贴怎么领');
    expect(await page.inputValue('#fix-topic')).toBe(''); // the clerk chooses the topic
    expect(await page.locator('#fix-save').isDisabled()).toBe(true);
    await page.check('#fix-kind-synonym');
    expect(await page.locator('#fix-alias').isVisible()).toBe(true);
    expect(await page.locator('#fix-wording').isVisible()).toBe(false);
    await page.locator('#fix .term').first().tap();
    expect(await page.inputValue('#fix-alias')).not.toBe('');
    expect(problems).toEqual([]);
  });

  it('shows a logged question with markup as text: no script runs, no element is made', async () => {
    await loggedIn();
    const labels = await page.locator('#unanswered .item-question').allInnerTexts();
    expect(labels).toContain(XSS);
    expect(await page.locator('#dashboard script, #dashboard img').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('tests a question: matched entries with scores, the band and the thresholds', async () => {
    await loggedIn();
    await page.fill('#hit-question', '怎么申请政府信息公开？');
    await page.press('#hit-question', 'Enter');
    await page.waitForSelector('#hit-result .band-line');
    expect(await page.locator('#hit-result .band-line .band').innerText()).toBe('直接回答');
    expect(await page.locator('#hit-result .band-line').innerText()).toContain(`直接回答 ≥ ${bot.engine.thresholds.answer}`);
    const top = page.locator('#hit-result tbody tr').first();
    expect(await top.innerText()).toContain('怎样申请政府信息公开');
    expect(await top.locator('td.num').innerText()).toMatch(/^\d\.\d{3}$/);
    expect(await page.locator('#hit-result .reply-text').innerText()).toContain('怎样申请政府信息公开');

    await page.fill('#hit-question', '马铃薯补贴怎么领');
    await page.click('#hit-test button[type="submit"]');
    await expect.poll(() => page.locator('#hit-result .band-line .band').innerText()).toBe('兜底');
    expect(problems).toEqual([]);
  });

  it('shows a tested question with <script> as text', async () => {
    await loggedIn();
    await page.fill('#hit-question', '<script>alert(3)</script>');
    await page.press('#hit-question', 'Enter');
    await page.waitForSelector('#hit-result .asked-text');
    expect(await page.locator('#hit-result .asked-text').innerText()).toBe('<script>alert(3)</script>');
    expect(await page.inputValue('#fix-wording')).toBe('<script>alert(3)</script>');
    expect(await page.locator('#hit-result script').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  });

  it('groups the knowledge files\' problems by what to do and by file, and reloads with the button', async () => {
    await loggedIn();
    const warnings = page.locator('#findings details.warning');
    expect(await warnings.locator('summary').innerText()).toMatch(/^警告：建议检查.*（\d+ 条）$/);
    expect(await warnings.getAttribute('open')).toBeNull(); // folded: nothing to do first
    expect(await warnings.locator('h4').first().textContent()).toMatch(/^reports\/.+（\d+ 条）$/);
    expect(await page.locator('#reload-status').innerText()).toContain('启动时载入');
    await page.click('#reload');
    await expect.poll(() => page.textContent('#reload-result')).toBe(RELOAD_MESSAGE);
    expect(reloads.at(-1)).toBe('admin');
    const finding = page.locator('#findings li').first();
    expect(await finding.textContent()).toContain('<i>标题</i>不完整');
    expect(await finding.textContent()).toContain('第 1 行');
    expect(await page.locator('#findings details.warning h4').first().textContent()).toBe('reports/<b>x</b>.txt（1 条）');
    expect(await page.locator('#findings i, #findings b').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('keeps the login for the tab, and forgets it on 退出登录', async () => {
    await loggedIn();
    await page.reload();
    await page.waitForSelector('body[data-stats="loaded"]');
    expect(await page.locator('#dashboard').isVisible()).toBe(true);
    await page.click('#logout');
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  it('changes the period', async () => {
    await loggedIn();
    await page.selectOption('#days', '7');
    await expect.poll(() => page.locator('#chart-daily svg g.column').count()).toBe(7);
    expect(await page.textContent('#period')).toContain('共 7 天');
  });
});
