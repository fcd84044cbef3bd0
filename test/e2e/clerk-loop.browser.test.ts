// The clerk's loop end to end (issue 13.2): the real server as its own process
// (`node --import tsx src/main.ts`) on a copy of the real knowledge directory, residents asking
// through /api/ask, and a clerk in Chromium on the admin page. A question the bot missed is in
// the log; the clerk taps 去修正, adds the wording to a guide topic, previews (the question and
// the other logged question it also fixes are listed), saves, and the running bot answers it in
// the chat page; undo gives back the guide byte for byte and the bot misses it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGuide } from '../../src/knowledge/guide-parser.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/browser.ts';
import { knowledgeCopy, tempDir } from '../helpers/knowledge.ts';

const TOKEN = 'e2e-token-of-wang-0123456789';
/** Residents' wordings the knowledge base as shipped does not answer (checked below, not assumed). */
const MISSED = '办这个要掏腰包吗';
const ALSO_MISSED = '办这个要掏腰包不';
const TOPIC = 'fees';
const PHONE = { width: 390, height: 844 };

const skip = skipWithoutChromium('clerk-loop.browser.test');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function ask(url: string, question: string, user: string): Promise<{ reply: string; answered: boolean }> {
  const res = await fetch(`${url}/api/ask`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ question, user }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { reply: string; answered: boolean };
}

describe.skipIf(skip)('the clerk fixes a missed question from /admin, on a running server', { timeout: 120_000 }, () => {
  let child: ChildProcess;
  let stderr = '';
  let url: string;
  let kdir: string;
  let ddir: string;
  let guide: Buffer;
  let title: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    kdir = await knowledgeCopy();
    ddir = await tempDir();
    guide = await readFile(path.join(kdir, 'guide.md'));
    title = parseGuide(guide.toString('utf8'), 'guide.md').topics.find((t) => t.id === TOPIC)!.title;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        KNOWLEDGE_DIR: kdir,
        DATA_DIR: ddir,
        ADMIN_TOKENS: `王会计:${TOKEN}`,
        LOG_LEVEL: 'warn',
        // Set but blank means unset, and a developer's .env cannot fill them in.
        ADMIN_TOKEN: '',
        DATA_SALT: '',
        WECHAT_TOKEN: '',
        WECHAT_APPID: '',
        WECHAT_ENCODING_AES_KEY: '',
        WECHAT_PREVIOUS_ENCODING_AES_KEY: '',
        WECHATY_PUPPET: '',
        CHAT_TITLE: '',
      },
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited during start-up:\n${stderr}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`server did not start:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    for (const dir of [kdir, ddir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('from the unanswered list to an answer and back, byte for byte', async () => {
    // Residents ask; the bot misses both wordings.
    expect((await ask(url, MISSED, 'resident-1')).answered).toBe(false);
    expect((await ask(url, MISSED, 'resident-2')).answered).toBe(false);
    expect((await ask(url, ALSO_MISSED, 'resident-3')).answered).toBe(false);
    expect((await ask(url, '怎么申请政府信息公开？', 'resident-4')).answered).toBe(true);

    page = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${url}/admin`);
    await page.fill('#token', TOKEN);
    await page.click('#login-button');
    await page.waitForSelector('body[data-stats="loaded"]');
    expect(await page.textContent('#who')).toContain('王会计');

    // One tap from the missed question to hit testing it.
    const item = page.locator('#unanswered li', { hasText: MISSED }).first();
    // The two wordings are one line of the grouped list: three questions, two wordings.
    await expect.poll(() => item.locator('.item-meta').innerText()).toContain('问了 3 次 · 2 种问法');
    await item.locator('button.fix-button').tap();
    await page.waitForSelector('#fix-topic');
    expect(await page.inputValue('#hit-question')).toBe(MISSED);
    expect(await page.locator('#hit-result .band-line .band').innerText()).not.toBe('直接回答');

    // Add the wording to the topic; the preview lists it and the other question it fixes.
    await page.selectOption('#fix-topic', TOPIC);
    expect(await page.inputValue('#fix-wording')).toBe(MISSED);
    expect(await page.locator('#fix-save').isDisabled()).toBe(true);
    await page.tap('#fix-preview');
    await page.waitForSelector('#fix[data-previewed="true"]', { timeout: 60_000 });
    const changes = page.locator('#fix-preview-result li.change');
    const mine = changes.filter({ hasText: MISSED });
    expect(await mine.locator('.badge').innerText()).toBe('改对了');
    expect(await mine.locator('.after').innerText()).toBe(`现在：${title}`);
    expect(await mine.innerText()).toContain('×2');
    expect(await changes.filter({ hasText: ALSO_MISSED }).count()).toBe(1);
    expect(await page.locator('#fix-preview-result .effects-summary').innerText()).toContain('改坏了 0 个');
    expect(await readFile(path.join(kdir, 'guide.md'))).toEqual(guide); // a preview writes nothing

    // Save: the running bot answers the resident's wording, in the chat page too.
    await page.tap('#fix-save');
    await page.waitForSelector('#fix-status.ok', { timeout: 30_000 });
    expect(await page.textContent('#fix-status')).toContain('已保存并生效');
    expect((await readFile(path.join(kdir, 'guide.md'), 'utf8')).includes(`；${MISSED}`)).toBe(true);
    const answered = await ask(url, MISSED, 'resident-5');
    expect(answered.answered).toBe(true);
    expect(answered.reply).toContain(`【${title}】`);

    const chat = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    await chat.goto(`${url}/`);
    await chat.waitForSelector('body[data-ready="true"]');
    await chat.fill('#question', MISSED);
    await chat.press('#question', 'Enter');
    await expect.poll(() => chat.locator('.row.received:not(.typing) .bubble').last().innerText()).toContain(`【${title}】`);
    expect(await chat.locator('.row.received').last().locator('button.chip.feedback').count()).toBe(2);
    await chat.context().close();

    // The edit is on record with who made it; undo restores the file byte for byte.
    const edit = page.locator('#edits li').first();
    await expect.poll(() => edit.innerText()).toContain(`在指南主题“${title}”的问法里加上“${MISSED}”`);
    expect(await edit.locator('.item-meta').innerText()).toContain('王会计');
    await edit.locator('button.undo').tap();
    await expect.poll(() => page.textContent('#edits-result')).toContain('已撤销');
    expect((await readFile(path.join(kdir, 'guide.md'))).equals(guide)).toBe(true);
    expect((await ask(url, MISSED, 'resident-6')).answered).toBe(false);
    await expect.poll(() => page.locator('#edits li').first().innerText()).toContain('已由 王会计');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
