// The chat page in a real browser on a phone (390×844): Debian's chromium driven by playwright-core
// against the real HTTP server (ephemeral port) and a fake core whose replies carry the fields
// /api/ask passes on (options, detail, related), so that every way of tapping instead of typing is
// exercised. One browser for the file; every test gets a fresh context (its own localStorage).
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Answer, AskContext } from '../../../src/answer/types.ts';
import { ERRORS } from '../../../src/channels/web/api.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/log.ts';
import { startServer, type ServerHandle } from '../../../src/server.ts';
import { launchChromium, skipWithoutChromium } from '../../helpers/browser.ts';
import { CANNED, FakeBot, FIGURE } from '../../helpers/fake-bot.ts';

const TITLE = '西吉县人民政府政府信息公开问答';
const PHONE = { width: 390, height: 844 };
const OPTIONS = ['依申请公开怎么办理', '2019年收到多少申请'];
const LONG_URL = 'https://www.example.gov.cn/xxgk/zfxxgkzn/202301/t20230315_1234567.html';

/** Test data: replies shaped like the core's, for the page to render. */
const SHAPED: Record<string, Omit<Answer, 'intent' | 'confidence' | 'sources'>> = {
  choices: { reply: `您是不是想问：\n1. ${OPTIONS[0]}\n2. ${OPTIONS[1]}\n请回复序号，或换个说法再问。`, answered: false, options: OPTIONS },
  apply: { reply: '【怎样申请】\n1. 写书面申请。\n2. 等答复。\n（回复“详细”查看更多）', answered: true, detail: true, entry: 'guide:apply' },
  详细: { reply: '【怎样申请（详细）】申请书要写清姓名和联系方式。', answered: true, entry: 'guide:apply' },
  fees: { reply: '申请不收费。信息处理费怎么收，见“信息处理费怎么收”这一条。', answered: true, related: ['信息处理费怎么收'], entry: 'guide:fees' },
  phone: { reply: '咨询电话：0954-3018118（以官网公布为准）。2019年共 1271 件，手机 13912345678。', answered: true, entry: 'guide:contacts' },
  longurl: { reply: `详见门户网站${LONG_URL}的公开指南栏目。`, answered: true, entry: 'guide:portal' },
};

const WELCOME = '您好！我可以回答政府信息公开的问题。\n您可以问我：\n· 怎么申请政府信息公开？\n· 申请后多久答复？\n回答后回复“有用”或“没用”。';

class ShapedBot extends FakeBot {
  override welcome(): string {
    return WELCOME;
  }

  override async answer(text: string, user: string, context?: AskContext): Promise<Answer> {
    const shaped = SHAPED[text];
    if (!shaped) return super.answer(text, user, context);
    this.calls.push({ text, user, context });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return { intent: shaped.answered ? 'guide' : 'clarify', confidence: 0.9, sources: [], ...shaped };
  }
}

const skip = skipWithoutChromium('chat page.browser.test');

describe.skipIf(skip)('chat page on a phone in chromium', { timeout: 60_000 }, () => {
  const bot = new ShapedBot(TITLE);
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

  async function open(viewport = PHONE): Promise<Page> {
    const p = await browser.newPage({ viewport, isMobile: viewport.width < 768, hasTouch: true });
    p.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    p.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    p.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await p.goto(`${server.url}/`);
    await p.waitForSelector('body[data-ready="true"]');
    return p;
  }

  beforeEach(async () => {
    bot.calls.length = 0;
    bot.delayMs = 0;
    dialogs = [];
    problems = [];
    page = await open();
  });

  afterEach(async () => {
    await page.context().close();
  });

  const replies = () => page.locator('.row.received:not(.typing):not(.error) .bubble');
  const lastReply = () => replies().last();
  const lastRow = () => page.locator('.row.received').last();
  /** The reply row now last, fixed: it stays that row when more are added. */
  const currentRow = async () => page.locator('.row.received').nth((await page.locator('.row.received').count()) - 1);
  const sentTexts = () => page.locator('.row.sent .bubble').allInnerTexts();

  async function askQuestion(text: string): Promise<void> {
    const before = await replies().count();
    await page.fill('#question', text);
    await page.press('#question', 'Enter');
    await expect.poll(() => replies().count()).toBe(before + 1);
  }

  it('shows the title from /api/info and the welcome, fits the phone, and sets a Chinese font stack', async () => {
    await expect.poll(() => page.textContent('h1')).toBe(TITLE);
    expect(await page.title()).toBe(TITLE);
    expect(await replies().first().innerText()).toBe('您好！我可以回答政府信息公开的问题。\n您可以问我：\n回答后回复“有用”或“没用”。');
    const send = await page.locator('#send').boundingBox();
    expect(send!.x + send!.width).toBeLessThanOrEqual(PHONE.width);
    expect((await page.locator('#question').boundingBox())!.width).toBeGreaterThan(200);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const fonts = await page.evaluate(() => getComputedStyle(document.querySelector('.bubble')!).fontFamily);
    for (const face of ['PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC']) expect(fonts).toContain(face);
    expect(problems).toEqual([]);
  });

  it('offers the welcome\'s example questions as chips that ask them', async () => {
    const examples = page.locator('.row.welcome button.chip.related');
    expect(await examples.allInnerTexts()).toEqual(['怎么申请政府信息公开？', '申请后多久答复？']);
    await examples.nth(1).tap();
    await expect.poll(() => lastReply().innerText()).toContain('关于「申请后多久答复？」');
    expect(await sentTexts()).toEqual(['申请后多久答复？']);
  });

  it('keeps the user id across reloads, so follow-ups reach the same conversation', async () => {
    await askQuestion('2019年收到多少申请？');
    expect(await lastReply().innerText()).toContain(FIGURE);
    expect(await page.inputValue('#question')).toBe('');
    const { user, context } = bot.calls[0]!;
    expect(user).toMatch(/^web-[0-9a-f]{32}$/);
    expect(context).toEqual({ channel: 'web' });
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await askQuestion('那2020年呢？');
    expect(bot.calls[1]!.user).toBe(user);
  });

  it('renders markup in replies and questions as text: no script runs, no element is made', async () => {
    await askQuestion('xss');
    expect(await lastReply().innerText()).toBe(CANNED.xss);
    await askQuestion('<img src=x onerror=alert(9)>');
    expect((await sentTexts()).at(-1)).toBe('<img src=x onerror=alert(9)>');
    expect(await page.locator('.messages img, .messages script').count()).toBe(0);
    await page.reload(); // and again when the conversation is restored from storage
    await page.waitForSelector('body[data-ready="true"]');
    expect(await replies().allInnerTexts()).toContain(CANNED.xss);
    expect(await page.locator('.messages img, .messages script').count()).toBe(0);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('makes phone numbers tel: links a tap reaches, and leaves other figures alone', async () => {
    await askQuestion('phone');
    const tels = lastReply().locator('a.tel');
    expect(await tels.allInnerTexts()).toEqual(['0954-3018118', '13912345678']);
    expect(await tels.first().getAttribute('href')).toBe('tel:09543018118');
    expect(await lastReply().innerText()).toBe(SHAPED.phone!.reply);
    // Where the finger lands on the number, the link gets the tap (nothing covers it).
    await page.evaluate(() => {
      document.addEventListener('click', (event) => {
        const link = (event.target as Element).closest('a');
        if (link) {
          event.preventDefault();
          document.body.dataset.tapped = link.getAttribute('href') ?? '';
        }
      }, true);
    });
    const box = (await tels.first().boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(20);
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.getAttribute('body', 'data-tapped')).toBe('tel:09543018118');
  });

  it('keeps a URL whole as one link that wraps only after a "/"', async () => {
    await askQuestion('longurl');
    const link = lastReply().locator('a.url');
    expect(await link.count()).toBe(1);
    expect(await link.getAttribute('href')).toBe(LONG_URL);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await link.innerText()).toBe(LONG_URL);
    // The characters before each line break of the link, read from the layout.
    const breaks = await link.evaluate((a) => {
      const chars: { ch: string; top: number }[] = [];
      const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.textContent!.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          chars.push({ ch: node.textContent![i]!, top: range.getBoundingClientRect().top });
        }
      }
      return chars.flatMap((c, i) => (i > 0 && c.top > chars[i - 1]!.top + 2 ? [chars[i - 1]!.ch] : []));
    });
    expect(breaks.length).toBeGreaterThan(0); // the URL is longer than a phone's bubble
    expect(breaks.every((ch) => ch === '/')).toBe(true);
  });

  it('offers 详细 as a chip: tapping it sends 详细 and shows more', async () => {
    await askQuestion('apply');
    expect(await lastReply().innerText()).not.toContain('回复“详细”'); // the chip says it
    const detail = lastRow().locator('button.chip.detail');
    expect(await detail.innerText()).toBe('详细');
    await detail.tap();
    await expect.poll(() => lastReply().innerText()).toBe(SHAPED.详细!.reply);
    expect(bot.calls.map((c) => c.text)).toEqual(['apply', '详细']);
    expect((await sentTexts()).at(-1)).toBe('详细');
    expect(await page.locator('button.chip.detail').first().isDisabled()).toBe(true);
  });

  it('offers a cross-reference as a chip that asks that question, and stays usable later', async () => {
    await askQuestion('fees');
    const related = lastRow().locator('button.chip.related');
    expect(await related.allInnerTexts()).toEqual(['信息处理费怎么收']);
    await related.tap();
    await expect.poll(() => bot.calls.map((c) => c.text)).toEqual(['fees', '信息处理费怎么收']);
    await expect.poll(() => lastReply().innerText()).toContain('关于「信息处理费怎么收」');
    expect(await page.locator('button.chip.related').first().isDisabled()).toBe(false);
  });

  it('offers 有用/没用 after an answered reply, not after a question back', async () => {
    await askQuestion('choices');
    expect(await lastRow().locator('button.chip.feedback').count()).toBe(0);
    await askQuestion('2019年收到多少申请？');
    const verdicts = (await currentRow()).locator('button.chip.feedback');
    expect(await verdicts.allInnerTexts()).toEqual(['有用', '没用']);
    await verdicts.nth(1).tap();
    await expect.poll(() => bot.calls.map((c) => c.text).at(-1)).toBe('没用');
    expect(await verdicts.nth(1).getAttribute('class')).toContain('chosen');
    expect(await verdicts.nth(0).isDisabled()).toBe(true);
  });

  it('shows a tapped option as its text while sending its number; older options go inert', async () => {
    await askQuestion('choices');
    const first = await currentRow();
    expect(await first.locator('.bubble').innerText()).toBe('您是不是想问：\n请回复序号，或换个说法再问。');
    const options = first.locator('button.chip.option');
    expect(await options.allInnerTexts()).toEqual([`1. ${OPTIONS[0]}`, `2. ${OPTIONS[1]}`]);

    await askQuestion('choices'); // asked again: the first offer is now stale
    expect(await options.nth(0).isDisabled()).toBe(true);
    await options.nth(0).dispatchEvent('click'); // even a forced click does nothing
    await page.waitForTimeout(200);
    expect(bot.calls.map((c) => c.text)).toEqual(['choices', 'choices']);

    await lastRow().locator('button.chip.option').nth(1).tap();
    await expect.poll(() => bot.calls.map((c) => c.text)).toEqual(['choices', 'choices', '2']);
    expect((await sentTexts()).at(-1)).toBe(OPTIONS[1]);
    await expect.poll(() => lastReply().innerText()).toContain('关于「2」');
    expect(await page.locator('button.chip.option:not(:disabled)').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('offers 重试 on a failed send and answers in the same place when it goes through', async () => {
    let failures = 1;
    await page.route('**/api/ask', (route) => (failures-- > 0 ? route.abort('failed') : route.continue()));
    await page.fill('#question', '有人吗');
    await page.press('#question', 'Enter');
    const error = page.locator('.row.error');
    await error.waitFor();
    expect(await error.locator('.bubble').innerText()).toBe('网络连接失败，请检查网络后再试。');
    expect(bot.calls).toEqual([]);
    await error.locator('button.chip.retry').tap();
    await expect.poll(() => lastReply().innerText()).toContain('关于「有人吗」');
    expect(await page.locator('.row.error').count()).toBe(0);
    expect(bot.calls.map((c) => c.text)).toEqual(['有人吗']);
    expect(await sentTexts()).toEqual(['有人吗']);
  });

  it('shows the server\'s own refusal without a retry, and its failure with one', async () => {
    await page.fill('#question', 'boom');
    await page.press('#question', 'Enter');
    await page.locator('.row.error').waitFor();
    expect(await page.locator('.row.error .bubble').innerText()).toBe(ERRORS.failed);
    expect(await page.locator('.row.error button.retry').count()).toBe(1);
    await page.route('**/api/ask', (route) => route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: ERRORS.questionTooLong }) }));
    await page.fill('#question', '很长的问题');
    await page.press('#question', 'Enter');
    await expect.poll(() => page.locator('.row.error').count()).toBe(2);
    expect(await page.locator('.row.error .bubble').last().innerText()).toBe(ERRORS.questionTooLong);
    expect(await page.locator('.row.error').last().locator('button.retry').count()).toBe(0);
  });

  it('puts each reply under its own question when questions are sent quickly', async () => {
    bot.delayMs = 250;
    for (const q of ['第一个问题', '第二个问题', '第三个问题']) {
      await page.fill('#question', q);
      if (q === '第二个问题') await page.tap('#send');
      else await page.press('#question', 'Enter');
    }
    expect(await page.locator('.row.typing').count()).toBeGreaterThanOrEqual(2); // each waits in its own place
    await expect.poll(() => replies().count(), { timeout: 5000 }).toBe(4);
    expect(await page.locator('.row.typing').count()).toBe(0);
    const rows = await page.locator('.row:not(.welcome) .bubble').allInnerTexts();
    expect(rows).toEqual([
      '第一个问题', `关于「第一个问题」：${FIGURE}。`,
      '第二个问题', `关于「第二个问题」：${FIGURE}。`,
      '第三个问题', `关于「第三个问题」：${FIGURE}。`,
    ]);
    expect(bot.calls.map((c) => c.text)).toEqual(['第一个问题', '第二个问题', '第三个问题']);
  });

  it('restores the conversation after a reload, with only the latest reply\'s chips live', async () => {
    await askQuestion('choices');
    await askQuestion('apply');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await replies().first().innerText()).toContain('您好！');
    expect(await sentTexts()).toEqual(['choices', 'apply']);
    expect(await page.locator('button.chip.option').count()).toBe(2);
    expect(await page.locator('button.chip.option:not(:disabled)').count()).toBe(0);
    await page.locator('button.chip.detail').tap();
    await expect.poll(() => lastReply().innerText()).toBe(SHAPED.详细!.reply);
    await page.click('#clear');
    expect(await sentTexts()).toEqual([]);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('.row').count()).toBe(1); // the welcome only
  });

  it('does not send an empty question', async () => {
    await page.fill('#question', '   ');
    await page.press('#question', 'Enter');
    await page.waitForTimeout(200);
    expect(await page.locator('.row.sent').count()).toBe(0);
    expect(bot.calls).toEqual([]);
  });

  it('keeps a bounded history', async () => {
    await page.evaluate(() => {
      const items = Array.from({ length: 400 }, (_, i) => (i % 2 ? { role: 'bot', text: `答${i}`, time: 0 } : { role: 'user', text: `问${i}` }));
      localStorage.setItem('gongkai.web.history', JSON.stringify(items));
    });
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await askQuestion('最后一个问题');
    const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('gongkai.web.history')!) as { text: string }[]);
    expect(kept.length).toBeLessThanOrEqual(80);
    expect(kept.at(-2)!.text).toBe('最后一个问题');
    expect(kept[0]!.text).not.toBe('问0');
  });

  it('keeps the input and the last reply inside the visual viewport when it shrinks', async () => {
    await askQuestion('apply');
    // Headless chromium has no on-screen keyboard; zooming shrinks the visual viewport the same way.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 2 });
    await expect.poll(() => page.evaluate(() => Math.round(visualViewport!.height))).toBe(PHONE.height / 2);
    await page.waitForTimeout(100);
    const inView = await page.evaluate(() => {
      const vv = visualViewport!;
      const top = vv.offsetTop;
      const bottom = vv.offsetTop + vv.height + 1;
      const composer = document.getElementById('composer')!.getBoundingClientRect();
      const rows = document.querySelectorAll('.row');
      const last = rows[rows.length - 1]!.getBoundingClientRect();
      return { composer: composer.top >= top && composer.bottom <= bottom, last: last.bottom > top && last.top < composer.top };
    });
    expect(inView).toEqual({ composer: true, last: true });
  });

  it('reads as a centred column on a desktop', async () => {
    const desktop = await open({ width: 1440, height: 900 });
    try {
      const app = (await desktop.locator('#app').boundingBox())!;
      expect(app.width).toBeLessThanOrEqual(820);
      expect(Math.abs(app.x + app.width / 2 - 720)).toBeLessThan(2);
      await desktop.fill('#question', '怎么申请？');
      await desktop.press('#question', 'Enter');
      await desktop.locator('.row.received:not(.typing)').nth(1).waitFor();
      const bubble = (await desktop.locator('.row.received .bubble').last().boundingBox())!;
      expect(bubble.width).toBeLessThanOrEqual(16 * 38 + 30);
    } finally {
      await desktop.context().close();
    }
  });
});
