// The chat page in a real browser: Debian's chromium driven by playwright-core against the real
// HTTP server (ephemeral port) and the fake bot.
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPhonePage, skipWithoutChromium } from '../../helpers/browser.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERRORS } from '../../../src/channels/web/api.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/log.ts';
import { startServer, type ServerHandle } from '../../../src/server.ts';
import { CANNED, FakeBot, FIGURE } from '../../helpers/fake-bot.ts';

const TITLE = '西吉县政府信息公开问答';
const skip = skipWithoutChromium('page.browser.test');

describe.skipIf(skip)('chat page in chromium', { timeout: 60_000 }, () => {
  const bot = new FakeBot(TITLE);
  let server: ServerHandle;
  let browser: Browser;
  let page: Page;
  let dialogs: string[];
  let problems: string[];

  beforeAll(async () => {
    server = await startServer({ bot, config: loadConfig({ PORT: '0', HOST: '127.0.0.1' }), logger: silentLogger });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    bot.calls.length = 0;
    bot.delayMs = 0;
    dialogs = [];
    problems = [];
    page = await openPhonePage(browser, `${server.url}/`, { dialogs, problems });
  });

  afterEach(async () => {
    await page.close();
  });

  const replies = () => page.locator('.row.received:not(.typing) .bubble');
  const lastReply = () => replies().last();

  async function askQuestion(text: string): Promise<void> {
    const before = await replies().count();
    await page.fill('#question', text);
    await page.press('#question', 'Enter');
    await expect.poll(() => replies().count()).toBe(before + 1);
  }

  it('shows the title from the server, the welcome bubble, and fits a 375 px phone', async () => {
    await expect.poll(() => page.textContent('h1')).toBe(TITLE);
    expect(await page.title()).toBe(TITLE);
    expect(await replies().first().innerText()).toBe(bot.welcome());
    const input = await page.locator('#question').boundingBox();
    const send = await page.locator('#send').boundingBox();
    expect(await page.locator('#send').innerText()).toBe('发送');
    expect(input && send).toBeTruthy();
    expect(send!.x + send!.width).toBeLessThanOrEqual(375);
    expect(input!.width).toBeGreaterThan(150);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(375);
    expect(problems).toEqual([]);
  });

  it('sends with Enter and shows the answer with the figure, under one per-browser user id', async () => {
    await askQuestion('2019年收到多少申请？');
    expect(await lastReply().innerText()).toContain(FIGURE);
    expect(await page.locator('.row.sent .bubble').last().innerText()).toBe('2019年收到多少申请？');
    expect(await page.inputValue('#question')).toBe('');
    expect(bot.calls).toHaveLength(1);
    const { user, context } = bot.calls[0]!;
    expect(user).toMatch(/^web-[0-9a-f]{32}$/);
    expect(context).toEqual({ channel: 'web' });

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#question');
    await askQuestion('那2020年呢？');
    expect(bot.calls[1]!.user).toBe(user); // kept in localStorage
    expect(problems).toEqual([]);
  });

  it('sends with the 发送 button too', async () => {
    await page.fill('#question', '怎么申请？');
    await page.click('#send');
    await expect.poll(() => lastReply().innerText()).toContain(FIGURE);
  });

  it('shows markup in a reply as text: no script runs, no image is made', async () => {
    await askQuestion('xss');
    const bubble = lastReply();
    expect(await bubble.innerText()).toBe(CANNED.xss);
    expect(await bubble.locator('img, script').count()).toBe(0);
    expect(await page.locator('.messages img').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows the question itself as text too', async () => {
    await page.fill('#question', '<img src=x onerror=alert(9)>');
    await page.press('#question', 'Enter');
    await expect.poll(() => replies().count()).toBe(2);
    expect(await page.locator('.row.sent .bubble').last().innerText()).toBe('<img src=x onerror=alert(9)>');
    expect(await page.locator('.messages img').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  });

  it('turns http(s) URLs into links that open in a new tab, and nothing else', async () => {
    await askQuestion('link');
    const links = lastReply().locator('a');
    expect(await links.count()).toBe(1);
    const link = links.first();
    expect(await link.getAttribute('href')).toBe('https://www.example.gov.cn/xxgk/index.html?a=1&b=2');
    expect(await link.innerText()).toBe('https://www.example.gov.cn/xxgk/index.html?a=1&b=2');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await lastReply().innerText()).toBe(CANNED.link); // the text reads as it was sent
  });

  it('makes the "您是不是想问" options clickable; a click sends the number', async () => {
    await askQuestion('choices');
    const options = lastReply().locator('button.option');
    expect(await options.count()).toBe(2);
    expect(await options.nth(0).innerText()).toBe('1. 依申请公开怎么办理');
    expect(await options.nth(1).innerText()).toBe('2. 2019年收到多少申请');
    await options.nth(1).click();
    await expect.poll(() => bot.calls.map((c) => c.text)).toEqual(['choices', '2']);
    await expect.poll(() => page.locator('.row.sent .bubble').last().innerText()).toBe('2');
    await expect.poll(() => lastReply().innerText()).toContain('关于「2」');
    // the line after the options is plain text again
    expect(await lastReply().locator('button').count()).toBe(0);
  });

  it('shows a typing indicator while waiting', async () => {
    bot.delayMs = 800;
    await page.fill('#question', '慢慢来');
    await page.press('#question', 'Enter');
    await page.waitForSelector('.row.typing', { state: 'visible' });
    await expect.poll(() => lastReply().innerText(), { timeout: 5000 }).toContain(FIGURE);
    expect(await page.locator('.row.typing').count()).toBe(0);
  });

  it('shows the server\'s Chinese error in an error bubble when the answer fails', async () => {
    await page.fill('#question', 'boom');
    await page.press('#question', 'Enter');
    const error = page.locator('.row.error .bubble');
    await error.waitFor();
    expect(await error.innerText()).toBe(ERRORS.failed);
    problems = problems.filter((p) => !p.includes('500')); // the browser logs the failed request
    expect(problems).toEqual([]);
  });

  it('shows a Chinese error bubble when the network fails', async () => {
    await page.route('**/api/ask', (route) => route.abort('failed'));
    await page.fill('#question', '有人吗');
    await page.press('#question', 'Enter');
    const error = page.locator('.row.error .bubble');
    await error.waitFor();
    expect(await error.innerText()).toBe('网络连接失败，请检查网络后再试。');
  });

  it('does not send an empty question', async () => {
    await page.fill('#question', '   ');
    await page.press('#question', 'Enter');
    await page.waitForTimeout(200);
    expect(await page.locator('.row.sent').count()).toBe(0);
    expect(bot.calls).toEqual([]);
  });
});
