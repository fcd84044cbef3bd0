// The compiled bot started with an accounts file, as an operator starts it: the start log lists
// every account's paths, each account answers from its own knowledge, SIGHUP reloads every
// account and SIGTERM stops them all (test/fixtures/accounts: invented figures, test data).
import { mkdtemp, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, botEnv, ROOT, start, stopAll, type Started } from './helpers/start.ts';

let bot: Started;
let url: string;
let pid: number;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gongkai-accounts-start-'));
  const file = path.join(dir, 'accounts.yaml');
  await writeFile(
    file,
    [
      'accounts:',
      '  - id: alpha',
      `    knowledge_dir: ${path.join(ROOT, 'test/fixtures/accounts/alpha')}`,
      '    wechat_token: ${ALPHA_TOKEN}',
      '  - id: beta',
      `    knowledge_dir: ${path.join(ROOT, 'test/fixtures/accounts/beta')}`,
      '    admin_tokens:',
      '      staff: ${BETA_ADMIN}',
    ].join('\n'),
  );
  await chmod(file, 0o600);
  bot = start('command', botEnv(path.join(dir, 'data'), { ACCOUNTS_FILE: file, ALPHA_TOKEN: 'alphaToken2026', BETA_ADMIN: 'beta-admin-token-2b8d4f6a1c9e3' }));
  url = await baseUrl(bot);
  pid = await bot.pid();
  await bot.line((l) => l.includes('"account":"beta"') && l.includes('admin'));
}, 90_000);

afterAll(() => stopAll());

const ask = async (api: string, question: string) => {
  const res = await fetch(`${url}${api}/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question, user: 'start-test' }) });
  return ((await res.json()) as { reply: string }).reply;
};

describe('npm start with ACCOUNTS_FILE', { timeout: 90_000 }, () => {
  it("lists every account's paths in the start log, and what is off", () => {
    const accounts = bot.logs().filter((l) => typeof l.account === 'string' && typeof l.page === 'string');
    expect(accounts.map((l) => l.account)).toEqual(['alpha', 'beta']);
    expect(accounts[0]).toMatchObject({ page: `${url}/alpha/`, api: `${url}/api/alpha`, wechat: `${url}/wechat/alpha`, admin: `${url}/alpha/admin` });
    expect(String(accounts[0]!.msg)).toContain('plain text mode');
    expect(String(accounts[0]!.msg)).toMatch(/admin .*off \(no admin_tokens\)/);
    expect(String(accounts[1]!.msg)).toMatch(/webhook .*off \(no wechat_token\)/);
    // No secret in the log.
    expect(bot.lines.join('\n')).not.toContain('alphaToken2026');
    expect(bot.lines.join('\n')).not.toContain('beta-admin-token');
  });

  it('each account answers from its own knowledge, the default one from knowledge/', async () => {
    expect(await ask('/api/alpha', '2020年行政处罚有多少件？')).toContain('4321');
    expect(await ask('/api/beta', '2020年行政处罚有多少件？')).toContain('8765');
    expect(await ask('/api', '2019年行政处罚有多少件？')).toContain('1271');
    // beta has no wechat_token: its webhook says where to set it.
    const off = await fetch(`${url}/wechat/beta`, { method: 'POST', body: '<xml/>' });
    expect(off.status).toBe(503);
    expect(await off.text()).toContain('ACCOUNTS_FILE');
  });

  it('SIGHUP reloads every account; SIGTERM stops them all', async () => {
    process.kill(pid, 'SIGHUP');
    for (const account of ['alpha', 'beta']) {
      await bot.line((l) => l.includes('"reason":"SIGHUP"') && l.includes('知识库已重新载入') && l.includes(`"account":"${account}"`));
    }
    await bot.line((l) => l.includes('"reason":"SIGHUP"') && l.includes('知识库已重新载入') && !l.includes('"account"'));
    expect(await ask('/api/beta', '2020年行政处罚有多少件？')).toContain('8765');
    process.kill(pid, 'SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
  });
});
