// Many accounts in one process (issue 14.1): the accounts file read with every problem named by
// account and field (and no secret echoed), and a real server with two accounts beside the default
// one, each answering from its own knowledge (test/fixtures/accounts: invented figures, test data)
// and checking WeChat's signature and key against its own credentials only.
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccounts } from '../src/accounts.ts';
import { createBot, type RunningBot } from '../src/answer/bot.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { startServer, type ServerHandle } from '../src/server.ts';
import { redactUrl } from '../src/store/redis-link.ts';
import { messageXml, parseReply, signedQuery, WXBizMsgCrypt } from './fixtures/official-account/helpers.ts';
import { launchChromium, skipWithoutChromium } from './helpers/browser.ts';

const ALPHA = { token: 'alphaToken2026', appId: 'wxalpha0000000001', key: 'a'.repeat(20) + 'B'.repeat(23), admin: 'alpha-admin-token-7f3e9c1d5b2a8' };
const BETA = { token: 'betaToken2026', appId: 'wxbeta00000000002', key: 'c'.repeat(20) + 'D'.repeat(23), admin: 'beta-admin-token-2b8d4f6a1c9e3' };
const ALPHA_FIGURE = '4321';
const BETA_FIGURE = '8765';
const QUESTION = '2020年行政处罚有多少件？';

describe('the accounts file', () => {
  const parse = (text: string, env: Record<string, string> = {}) => parseAccounts(text, { env, file: 'accounts.yaml', dataDir: 'data' });

  it('reads every field, fills ${NAME} from the environment, and gives each account its own data directory and namespace', () => {
    const { accounts, problems, literalSecrets } = parse(
      [
        'accounts:',
        '  - id: alpha',
        '    title: 甲县政府信息公开问答',
        '    knowledge_dir: kb/alpha',
        '    wechat_token: ${ALPHA_TOKEN}',
        '    wechat_appid: wxalpha0000000001',
        '    wechat_encoding_aes_key: ${ALPHA_KEY}',
        '    admin_tokens:',
        '      王会计: ${ALPHA_ADMIN}',
        '  - id: beta',
        '    knowledge_dir: kb/beta',
        '    namespace: beta-county',
        '    data_dir: /srv/beta',
        '    admin_tokens: ["李主任:${BETA_ADMIN}"]',
      ].join('\n'),
      { ALPHA_TOKEN: ALPHA.token, ALPHA_KEY: ALPHA.key, ALPHA_ADMIN: ALPHA.admin, BETA_ADMIN: BETA.admin },
    );
    expect(problems).toEqual([]);
    expect(literalSecrets).toBe(false);
    expect(accounts).toEqual([
      {
        id: 'alpha',
        title: '甲县政府信息公开问答',
        knowledgeDir: 'kb/alpha',
        dataDir: path.join('data', 'accounts', 'alpha'),
        namespace: 'alpha',
        wechat: { token: ALPHA.token, appId: ALPHA.appId, encodingAESKey: ALPHA.key, previousEncodingAESKey: undefined },
        adminTokens: [{ label: '王会计', token: ALPHA.admin }],
      },
      {
        id: 'beta',
        title: undefined,
        knowledgeDir: 'kb/beta',
        dataDir: '/srv/beta',
        namespace: 'beta-county',
        wechat: { token: undefined, appId: undefined, encodingAESKey: undefined, previousEncodingAESKey: undefined },
        adminTokens: [{ label: '李主任', token: BETA.admin }],
      },
    ]);
  });

  it('names the account and the field of every bad entry, and never echoes a secret', () => {
    const secretToken = 'not-a-valid-token!!SECRET';
    const secretKey = 'SECRETKEY'.repeat(4); // 36 characters: not an EncodingAESKey
    const { accounts, problems } = parse(
      [
        'accounts:',
        '  - id: alpha',
        '    knowledge_dir: kb/alpha',
        `    wechat_token: ${secretToken}`,
        `    wechat_encoding_aes_key: ${secretKey}`,
        '  - id: Beta!',
        '    knowledge_dir: kb/beta',
        '  - id: gamma',
        '    wechat_token: ${GAMMA_TOKEN}',
        '    knowlege_dir: typo',
        '    admin_tokens:',
        '      张三: short',
        '  - id: delta',
        '    knowledge_dir: kb/delta',
        '    data_dir: data/shared',
        '  - id: epsilon',
        '    knowledge_dir: kb/epsilon',
        '    data_dir: data/shared',
        '  - id: admin',
        '    knowledge_dir: kb/x',
      ].join('\n'),
    );
    expect(accounts.map((a) => a.id)).toEqual(['delta', 'epsilon']);
    const text = problems.join('\n');
    for (const secret of [secretToken, secretKey, 'short']) expect(text).not.toContain(secret);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/account alpha：.*\/ wechat_token must be 3–32 letters or digits \(got 25 characters\)/),
        expect.stringMatching(/account alpha：.*\/ wechat_encoding_aes_key must be exactly 43 letters or digits \(got 36 characters\)/),
        expect.stringMatching(/account alpha：.*\/ wechat_encoding_aes_key requires wechat_appid/),
        expect.stringMatching(/account 2：.*\/ id must be 1–32 lower-case letters/),
        expect.stringMatching(/account gamma：.*\/ wechat_token names the environment variable GAMMA_TOKEN, which is not set/),
        expect.stringMatching(/account gamma：.*\/ knowlege_dir is not a known field/),
        expect.stringMatching(/account gamma：.*\/ knowledge_dir is required/),
        expect.stringMatching(/account gamma：admin_tokens .*张三.* should read "label:token"/),
        expect.stringMatching(/account epsilon：.*\/ data_dir is the same as account delta's/),
        expect.stringMatching(/account 6：.*\/ id must not be one of api, wechat, admin/),
      ]),
    );
  });

  it('reports broken YAML by place and code only: the parser would quote the line, secret and all', () => {
    const { problems } = parse('accounts:\n  - id: alpha\n    wechat_token: "abcSECRETdef\n    knowledge_dir: [x\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(/accounts\.yaml .*line \d+, column \d+.*not valid YAML \([A-Z_]+\)/);
    expect(problems.join('\n')).not.toContain('SECRET');
  });

  it('refuses to start on a bad entry, with the file, account and field named, and warns about secrets in a readable file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-accounts-'));
    try {
      const file = path.join(dir, 'accounts.yaml');
      writeFileSync(file, `accounts:\n  - id: alpha\n    knowledge_dir: kb\n    wechat_token: x\n`);
      let error: unknown;
      try {
        loadConfig({ ACCOUNTS_FILE: file, DATA_DIR: dir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`${file} 账号 alpha / account alpha：wechat_token`);

      writeFileSync(file, `accounts:\n  - id: alpha\n    knowledge_dir: kb\n    wechat_token: ${ALPHA.token}\n`);
      chmodSync(file, 0o644);
      const config = loadConfig({ ACCOUNTS_FILE: file, DATA_DIR: dir });
      expect(config.accounts.map((a) => a.id)).toEqual(['alpha']);
      expect(config.warnings.join('\n')).toContain('chmod 600');
      expect(config.warnings.join('\n')).not.toContain(ALPHA.token);
      chmodSync(file, 0o600);
      expect(loadConfig({ ACCOUNTS_FILE: file, DATA_DIR: dir }).warnings).toEqual([]);
      expect(() => loadConfig({ ACCOUNTS_FILE: path.join(dir, 'missing.yaml') })).toThrow(/ACCOUNTS_FILE.*missing\.yaml.*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('REDIS_URL', () => {
  it('is refused when it is not a redis:// or rediss:// URL, without echoing it (it may hold a password)', () => {
    for (const url of ['redis://:hunter2secret@localhost:notaport', 'http://:hunter2secret@localhost:6379', 'hunter2secret']) {
      let error: unknown;
      try {
        loadConfig({ REDIS_URL: url });
      } catch (e) {
        error = e;
      }
      expect(error, url).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('REDIS_URL');
      expect((error as ConfigError).message).not.toContain('hunter2secret');
    }
    expect(loadConfig({ REDIS_URL: 'redis://:pw@127.0.0.1:6379/2', REDIS_PREFIX: 'city' }).redis).toEqual({ url: 'redis://:pw@127.0.0.1:6379/2', prefix: 'city' });
    expect(loadConfig({}).redis).toBeUndefined();
  });

  it('is logged without its password', () => {
    expect(redactUrl('redis://user:hunter2secret@10.0.0.5:6379/0')).toBe('redis://user:***@10.0.0.5:6379/0');
    expect(redactUrl('redis://10.0.0.5:6379')).toBe('redis://10.0.0.5:6379');
  });
});

describe('two accounts in one process', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-two-'));
  let server: ServerHandle;
  const bots: RunningBot[] = [];
  const ts = () => String(Math.floor(Date.now() / 1000));

  beforeAll(async () => {
    const open = (knowledgeDir: string, name: string) => createBot({ knowledgeDir, dataDir: path.join(dir, name), logger: silentLogger });
    const [root, alpha, beta] = await Promise.all([open('knowledge', 'default'), open('test/fixtures/accounts/alpha', 'alpha'), open('test/fixtures/accounts/beta', 'beta')]);
    bots.push(root, alpha, beta);
    // Wrong tokens are tried on purpose here: more than the default five would pause this address.
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(dir, 'default'), WECHAT_TOKEN: 'rootToken2026', ADMIN_MAX_FAILED_ATTEMPTS: '100' });
    const account = (id: string, bot: RunningBot, c: typeof ALPHA) => ({
      id,
      bot,
      wechat: { token: c.token, appId: c.appId, encodingAESKey: c.key },
      adminTokens: [{ label: `${id}-staff`, token: c.admin }],
      dataDir: path.join(dir, id),
    });
    server = await startServer({ bot: root!, config, logger: silentLogger, accounts: [account('alpha', alpha!, ALPHA), account('beta', beta!, BETA)] });
  });

  afterAll(async () => {
    await server?.close();
    await Promise.all(bots.map((b) => b.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A safe-mode delivery encrypted with `keyOf`'s key and AppID, signed with `tokenOf`'s token. */
  const delivery = (keyOf: typeof ALPHA, tokenOf: typeof ALPHA, msgId: string, content = QUESTION) => {
    const ref = new WXBizMsgCrypt(keyOf.token, keyOf.key, keyOf.appId);
    const encrypt = ref.encrypt(messageXml({ to: `gh_${keyOf.appId}`, content, msgId, createTime: ts() }));
    const t = ts();
    const nonce = `n${msgId}`;
    const signer = new WXBizMsgCrypt(tokenOf.token, tokenOf.key, tokenOf.appId);
    const query = signedQuery(tokenOf.token, t, nonce, { encrypt_type: 'aes', msg_signature: signer.getSignature(t, nonce, encrypt) });
    return { query, body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
  };
  const post = (account: string, d: { query: string; body: string }) =>
    fetch(`${server.url}/wechat/${account}?${d.query}`, { method: 'POST', body: d.body, headers: { 'Content-Type': 'text/xml' } });
  const replyText = async (res: Response, c: typeof ALPHA) => {
    const envelope = parseReply(await res.text());
    return parseReply(new WXBizMsgCrypt(c.token, c.key, c.appId).decrypt(envelope['Encrypt']!).message)['Content'];
  };

  it("each webhook answers from its own knowledge, with its own key", async () => {
    const a = await post('alpha', delivery(ALPHA, ALPHA, '1001'));
    expect(a.status).toBe(200);
    expect(await replyText(a, ALPHA)).toContain(ALPHA_FIGURE);
    const b = await post('beta', delivery(BETA, BETA, '1002'));
    expect(b.status).toBe(200);
    const text = await replyText(b, BETA);
    expect(text).toContain(BETA_FIGURE);
    expect(text).not.toContain(ALPHA_FIGURE);
  });

  it("a message signed for alpha is refused at /wechat/beta, and alpha's ciphertext signed with beta's token does not open there", async () => {
    expect((await post('beta', delivery(ALPHA, ALPHA, '1003'))).status).toBe(401);
    // beta's token, alpha's key: the signatures pass, the AES key is beta's own, so it cannot decrypt.
    expect((await post('beta', delivery(ALPHA, BETA, '1004'))).status).toBe(400);
    // The default account's token opens neither account.
    const plain = signedQuery('rootToken2026', ts(), 'nroot');
    const res = await fetch(`${server.url}/wechat/alpha?${plain}`, { method: 'POST', body: messageXml({ content: QUESTION, msgId: '1005', createTime: ts() }) });
    expect(res.status).toBe(401);
    // …and an unknown account has no webhook.
    expect((await post('gamma', delivery(ALPHA, ALPHA, '1006'))).status).toBe(404);
    // The bots were never asked: only the two good deliveries of the test before are logged.
    expect(bots[1]!.store.log.entries().filter((e) => e.channel === 'wechat')).toHaveLength(1);
    expect(bots[2]!.store.log.entries().filter((e) => e.channel === 'wechat')).toHaveLength(1);
  });

  it('the web API of each account answers from its knowledge and keeps its own sessions and log', async () => {
    const ask = async (api: string, question: string, user = 'web-user-1') => {
      const res = await fetch(`${server.url}${api}/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question, user }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { reply: string }).reply;
    };
    expect(await ask('/api/alpha', QUESTION)).toContain(ALPHA_FIGURE);
    expect(await ask('/api/beta', QUESTION)).toContain(BETA_FIGURE);
    expect(await ask('/api', '2019年行政处罚有多少件？')).toContain('1271');
    // The same user id on two accounts is two conversations: alpha's follow-up reads alpha's row.
    expect(await ask('/api/alpha', '那行政强制呢')).toContain('20');
    const logged = (bot: RunningBot) => bot.store.log.entries().filter((e) => e.channel === 'web').map((e) => e.question);
    expect(logged(bots[1]!)).toEqual([QUESTION, '那行政强制呢']);
    expect(logged(bots[2]!)).toEqual([QUESTION]);
    expect(logged(bots[0]!)).toEqual(['2019年行政处罚有多少件？']);
    const info = (await (await fetch(`${server.url}/api/beta/info`)).json()) as { title: string };
    expect(info.title).toContain('乙县人民政府');
  });

  it("each admin page takes its own account's tokens only", async () => {
    const stats = (account: string, token: string) => fetch(`${server.url}/${account}/admin/api/findings`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await stats('alpha', ALPHA.admin)).status).toBe(200);
    expect((await stats('beta', BETA.admin)).status).toBe(200);
    expect((await stats('beta', ALPHA.admin)).status).toBe(401);
    expect((await stats('alpha', BETA.admin)).status).toBe(401);
    // The default account has no admin token: its page does not exist.
    expect((await fetch(`${server.url}/admin/api/findings`, { headers: { Authorization: `Bearer ${ALPHA.admin}` } })).status).toBe(404);
    const page = await (await fetch(`${server.url}/beta/admin`)).text();
    expect(page).toContain('src="/beta/admin/page.js"');
    expect(page).not.toContain('"/admin/');
  });

  const skip = skipWithoutChromium('accounts.test');
  it.skipIf(skip)("the chat page at /beta/ asks beta's API and keeps its conversation apart from alpha's", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      for (const [account, figure] of [['beta', BETA_FIGURE], ['alpha', ALPHA_FIGURE]] as const) {
        await page.goto(`${server.url}/${account}/`);
        await page.waitForSelector('body[data-ready="true"]');
        await page.fill('#question', QUESTION);
        await page.click('#send');
        await page.waitForFunction((f) => document.querySelector('#messages')!.textContent!.includes(f), figure);
      }
      const text = await page.textContent('#messages');
      expect(text).toContain(ALPHA_FIGURE);
      expect(text).not.toContain(BETA_FIGURE);
      const questions = (bot: RunningBot) => bot.store.log.entries().filter((e) => e.channel === 'web' && e.question === QUESTION);
      expect(questions(bots[2]!).length).toBe(2); // the API test's and the page's
    } finally {
      await browser.close();
    }
  });

  it.skipIf(skip)("beta's admin page logs in with beta's token, shows beta's questions, and refuses alpha's token", async () => {
    const asked = (api: string, question: string) =>
      fetch(`${server.url}${api}/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question, user: 'admin-page-test' }) });
    expect((await asked('/api/beta', QUESTION)).status).toBe(200);
    expect((await asked('/api/alpha', '那行政强制呢')).status).toBe(200);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/beta/admin`);
      await page.fill('#token', ALPHA.admin);
      await page.click('#login-button');
      await expect.poll(() => page.textContent('#login-error')).toBe('管理口令不正确。');
      await page.fill('#token', BETA.admin);
      const stats = page.waitForResponse((r) => r.url().startsWith(`${server.url}/beta/admin/api/stats`) && r.status() === 200);
      await page.click('#login-button');
      await page.waitForSelector('body[data-stats="loaded"]');
      expect(await page.textContent('#who')).toBe('已登录：beta-staff');
      // The page asked beta's own API, which counts beta's questions only.
      const report = JSON.stringify(await (await stats).json());
      expect(report).toContain(QUESTION);
      expect(report).not.toContain('那行政强制呢'); // asked of alpha only
      // Its token is kept apart from the default admin page's.
      expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual(['gongkai.admin.token:/beta/admin/']);
    } finally {
      await browser.close();
    }
  });
});

describe('accounts.example.yaml', () => {
  it('is a valid accounts file once the variables it names are set, and holds no secret itself', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync('accounts.example.yaml', 'utf8');
    const names = [...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(3);
    const env = Object.fromEntries(
      names.map((name) => [name, name.endsWith('AES_KEY') ? 'k'.repeat(43) : name.includes('WECHAT_TOKEN') ? `tok${name.length}abc` : `admin-${name.toLowerCase()}-0123456789`]),
    );
    const parsed = parseAccounts(text, { env, file: 'accounts.example.yaml', dataDir: 'data' });
    expect(parsed.problems).toEqual([]);
    expect(parsed.literalSecrets).toBe(false);
    expect(parsed.accounts.map((a) => a.id)).toEqual(['county-a', 'county-b']);
  });
});
