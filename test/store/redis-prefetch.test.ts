// A new WeChat message waits on Redis once (issue 14's webhook budget with the Redis store): the
// claim of its MsgId also makes the sender's per-user hit and reads the sender's session, and the
// session's write is not waited for but leaves before the reply. Two "instances" (two links to one
// real redis-server, each with its own bot on the real knowledge base and its own webhook) show
// what must still hold: a follow-up on the other instance, sent the moment the reply arrives,
// keeps its context; the limit is one budget over both; a message the bot does not check the
// limit for (an event) leaves the budget as it was.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'ioredis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type RunningBot } from '../../src/answer/bot.ts';
import { createWebhookHandler, type WebhookHandler } from '../../src/channels/official-account/webhook.ts';
import { silentLogger } from '../../src/log.ts';
import { SharedRedis } from '../../src/store/shared-redis.ts';
import { eventXml, messageXml, signedQuery } from '../fixtures/official-account/helpers.ts';
import { skipWithoutRedis, startRedis, type RedisServer } from '../helpers/redis.ts';
import { KNOWLEDGE_DIR } from '../robustness/helpers/knowledge.ts';

const skip = skipWithoutRedis('store/redis-prefetch.test');
const TOKEN = 'prefetchToken2026';
const NAMESPACE = 'ahead';
const hashed = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 22);

describe.skipIf(skip)('a WeChat message and Redis: one round trip before the answer', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let probe: Redis;
  const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-redis-prefetch-'));
  const links: SharedRedis[] = [];
  const bots: RunningBot[] = [];
  /** Each instance's commands as sent, and how many had been sent when each reply was returned. */
  interface Instance {
    handle: WebhookHandler;
    sent: string[];
    /** What each write to the connection's socket carried. */
    chunks: string[];
  }
  let a: Instance;
  let b: Instance;
  let msgId = 9_100_000;

  async function instance(name: string): Promise<Instance> {
    const shared = await SharedRedis.open(redis.url, { logger: silentLogger });
    links.push(shared);
    const sent: string[] = [];
    const client = shared.link.client;
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((command: Command, stream?: unknown) => {
      sent.push(command.name === 'evalsha' || command.name === 'eval' ? 'script' : `${command.name} ${String(command.args[0])}`);
      return send(command, stream as never);
    }) as typeof client.sendCommand;
    const chunks: string[] = [];
    const stream = client.stream as unknown as { write: (chunk: unknown, ...rest: unknown[]) => boolean };
    const write = stream.write.bind(stream);
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      chunks.push(String(chunk));
      return write(chunk, ...rest);
    };
    const backend = shared.backend(NAMESPACE);
    const bot = await createBot({ knowledgeDir: KNOWLEDGE_DIR, dataDir: path.join(dir, name), logger: silentLogger, backend, rateLimit: 4, salt: 'prefetch-test-salt' });
    bots.push(bot);
    return { handle: createWebhookHandler({ token: TOKEN, bot, shareReplies: backend.shareReplies }), sent, chunks };
  }

  beforeAll(async () => {
    redis = await startRedis();
    probe = new Redis(redis.url);
    [a, b] = [await instance('a'), await instance('b')];
  });
  afterAll(async () => {
    for (const bot of bots) await bot.close().catch(() => undefined);
    for (const link of links) await link.close();
    probe?.disconnect();
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One delivery to an instance: the reply's body, and the commands it sent before replying. */
  async function deliver(to: Instance, body: string): Promise<{ body: string; before: string[] }> {
    const ts = String(Math.floor(Date.now() / 1000));
    const query = Object.fromEntries(new URLSearchParams(signedQuery(TOKEN, ts, `n${msgId}`)));
    const from = to.sent.length;
    const response = await to.handle({ method: 'POST', query, readBody: async () => ({ ok: true, text: body }) });
    expect(response.status).toBe(200);
    return { body: response.body, before: to.sent.slice(from) };
  }
  const text = (from: string, content: string) => messageXml({ from, content, msgId: String(msgId++), createTime: String(Math.floor(Date.now() / 1000)) });

  it('the claim brings the limit and the session: one script, then the session written before the reply; a follow-up on the other instance keeps its context', async () => {
    const user = 'oAheadResident000000000001';
    const first = await deliver(a, text(user, '2019年行政处罚有多少件？'));
    expect(first.body).toContain('1271');
    // Before replying: one round trip (the claim script), and the session's write already sent.
    expect(first.before.filter((c) => c === 'script')).toHaveLength(1);
    expect(first.before.filter((c) => c.startsWith('get ') || c.startsWith('zadd '))).toEqual([]);
    const sessionWrites = first.before.filter((c) => c.startsWith(`set gongkai:${NAMESPACE}:s:`));
    expect(sessionWrites).toHaveLength(1);
    // The session and the reply kept for other instances left in one write to the socket.
    const setSession = new RegExp(`\\r\\nset\\r\\n\\$\\d+\\r\\ngongkai:${NAMESPACE}:s:`, 'i');
    const sessionChunk = a.chunks.filter((c) => setSession.test(c));
    expect(sessionChunk).toHaveLength(1);
    expect(sessionChunk[0]).toContain(`gongkai:${NAMESPACE}:wxr:`);
    // The moment the reply is there, the other instance: "那2020年呢" only means 行政处罚 with the session.
    const next = await deliver(b, text(user, '那2020年呢'));
    expect(next.body).toContain('行政处罚');
    expect(next.before.filter((c) => c === 'script')).toHaveLength(1);
    // The hits went into the one sliding window in Redis.
    expect(await probe.zcard(`gongkai:${NAMESPACE}:rl:user:${hashed(user)}`)).toBe(2);
  });

  it('the per-user limit made with the claim is one budget over both instances', async () => {
    const user = 'oAheadFlooder0000000000001';
    const replies: string[] = [];
    for (let i = 0; i < 6; i++) replies.push((await deliver(i % 2 === 0 ? a : b, text(user, `怎么申请政府信息公开 ${i}`))).body);
    expect(replies.slice(0, 4).every((r) => !r.includes('您发送得太快了'))).toBe(true);
    expect(replies[4]).toContain('您发送得太快了');
    expect(replies[5]).toContain('您发送得太快了');
    expect(await probe.zcard(`gongkai:${NAMESPACE}:rl:user:${hashed(user)}`)).toBe(4);
  });

  it('an event the bot answers without checking the limit gives back the hit its claim made', async () => {
    const user = 'oAheadSubscriber0000000001';
    const ts = String(Math.floor(Date.now() / 1000));
    const welcome = await deliver(a, eventXml('subscribe', { from: user, createTime: ts }));
    expect(welcome.body).toContain('感谢关注');
    const key = `gongkai:${NAMESPACE}:rl:user:${hashed(user)}`;
    // The ZREM goes out without being waited for; Redis runs it before the probe's read.
    for (let i = 0; i < 50 && (await probe.zcard(key)) !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await probe.zcard(key)).toBe(0);
    // Four questions still fit the budget of four.
    for (let i = 0; i < 4; i++) expect((await deliver(b, text(user, `申请后多久答复 ${i}`))).body).not.toContain('您发送得太快了');
  });
});
