import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APOLOGY, MAX_REPLY_BYTES, createWebhookHandler, createWebhook as honoWebhook } from '../../../src/channels/official-account/webhook.ts';
import type { WebhookOptions } from '../../../src/channels/official-account/webhook.ts';
import { isWebhookPath, webhookListener } from '../../../src/channels/official-account/node-listener.ts';
import { silentLogger } from '../../../src/log.ts';
import {
  FakeBot,
  WXBizMsgCrypt,
  captureLogger,
  eventXml,
  fixture,
  messageXml,
  parseReply,
  sha1Sorted,
  signedQuery,
  sleep,
} from '../../fixtures/official-account/helpers.ts';
import type { ReferenceCrypto } from '../../fixtures/official-account/helpers.ts';
import { A, B, C } from '../../fixtures/official-account/vectors.ts';

// ---------------------------------------------------------------- transports
//
// Every test below runs twice: through the Hono sub-app (in process, as the app's other routes
// are tested) and through node:http on a real port, which is how the server serves /wechat.

type Transport = 'hono' | 'http';
let transport: Transport = 'hono';

interface Webhook {
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A POST sent as given, headers included: fetch would refuse a Content-Length that lies. */
  post(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Response>;
  /** The webhook mounted at /wechat of a server, as the real server routes it. */
  mounted(path: string, init?: RequestInit): Promise<Response>;
}

const servers: Server[] = [];

function createWebhook(options: WebhookOptions): Webhook {
  const handler = createWebhookHandler(options);
  if (transport === 'hono') {
    const app = honoWebhook(handler);
    const root = new Hono();
    root.route('/wechat', app);
    return {
      request: async (path, init) => app.request(path, init),
      post: async (path, body, headers) => app.request(path, { method: 'POST', body: body as BodyInit, headers }),
      mounted: async (path, init) => root.request(path, init),
    };
  }
  const listener = webhookListener(handler, options.logger ?? silentLogger);
  let base: Promise<string> | undefined;
  const origin = (): Promise<string> =>
    (base ??= new Promise((resolve) => {
      // Served as the server serves it: only the webhook's path reaches the listener.
      const server = createServer((req, res) => (isWebhookPath(req.url) ? listener(req, res) : res.writeHead(404).end()));
      servers.push(server);
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    }));
  return {
    request: async (path, init) => fetch(`${await origin()}/wechat${path.replace(/^\//, '')}`, init),
    post: async (path, body, headers) => nodePost(`${await origin()}/wechat${path.replace(/^\//, '')}`, body, headers),
    mounted: async (path, init) => fetch(`${await origin()}${path}`, init),
  };
}

function nodePost(url: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: res.headers as Record<string, string> })));
    });
    // The server may answer (413) and close before taking a lying body in: that is its right.
    req.on('error', (err) => (req.writableFinished ? undefined : reject(err)));
    req.end(body);
  });
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

// ---------------------------------------------------------------- plain-mode setup (vector A's token)

const TOKEN = A.token;
const NOW_S = Number(A.plainPost.timestamp);
const TS: string = A.plainPost.timestamp;
const NONCE: string = A.plainPost.nonce;

function plain(opts: Partial<WebhookOptions> = {}): { app: Webhook; bot: FakeBot } {
  const bot = new FakeBot();
  const app = createWebhook({ token: TOKEN, bot, now: () => NOW_S * 1000, ...opts });
  return { app, bot };
}

function post(app: Webhook, query: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return app.post(`/?${query}`, body, { 'Content-Type': 'text/xml', ...headers });
}

const plainQuery = (ts = TS, nonce = NONCE): string => signedQuery(TOKEN, ts, nonce);

// ---------------------------------------------------------------- safe-mode setup

const SAFE = {
  token: 'safeToken42',
  key: 'q1w2e3r4t5y6u7i8o9p0AaSsDdFfGgHhJjKkLlZzXxC',
  appId: 'wx1234567890abcdef',
};

function safe(opts: Partial<WebhookOptions> = {}): { app: Webhook; bot: FakeBot; ref: ReferenceCrypto } {
  const bot = new FakeBot();
  const app = createWebhook({
    token: SAFE.token,
    appId: SAFE.appId,
    encodingAESKey: SAFE.key,
    bot,
    now: () => NOW_S * 1000,
    ...opts,
  });
  return { app, bot, ref: new WXBizMsgCrypt(SAFE.token, SAFE.key, SAFE.appId) };
}

/** A safe-mode delivery: the inner XML encrypted by the reference implementation. */
function safeRequest(
  ref: ReferenceCrypto,
  inner: string,
  opts: { token?: string; ts?: string; nonce?: string; compatiblePlain?: string } = {},
): { query: string; body: string } {
  const ts = opts.ts ?? TS;
  const nonce = opts.nonce ?? NONCE;
  const encrypt = ref.encrypt(inner);
  const query = signedQuery(opts.token ?? SAFE.token, ts, nonce, {
    encrypt_type: 'aes',
    msg_signature: ref.getSignature(ts, nonce, encrypt),
  });
  const plainFields = opts.compatiblePlain ?? '<ToUserName><![CDATA[gh_account]]></ToUserName>';
  return { query, body: `<xml>${plainFields}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
}

/** Check the envelope's MsgSignature and decrypt it with the reference implementation. */
function openEnvelope(ref: ReferenceCrypto, body: string): Record<string, string> {
  const env = parseReply(body);
  expect(Object.keys(env).sort()).toEqual(['Encrypt', 'MsgSignature', 'Nonce', 'TimeStamp']);
  expect(env['MsgSignature']).toBe(ref.getSignature(env['TimeStamp']!, env['Nonce']!, env['Encrypt']!));
  expect(env['TimeStamp']).toMatch(/^\d{10}$/);
  const { message, id } = ref.decrypt(env['Encrypt']!);
  expect(id).toBe(SAFE.appId);
  return parseReply(message);
}

describe.each(['hono', 'http'] as const)('over %s', (via) => {
  beforeEach(() => {
    transport = via;
  });

  // ================================================================= GET

  describe('GET URL verification', () => {
    it('vector A: echoes echostr when the signature verifies', async () => {
      const { app } = plain({ now: () => Number(A.get.timestamp) * 1000 });
      const q = new URLSearchParams({ ...A.get });
      const res = await app.request(`/?${q}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(A.get.echostr);
    });

    it('wrong or missing signature → 401, echostr never echoed', async () => {
      const { app } = plain({ now: () => Number(A.get.timestamp) * 1000 });
      const cases: Array<Record<string, string>> = [
        { ...A.get, signature: 'f464b24fc39322e44b38aa78f5edd27bd1441697' },
        { ...A.get, signature: '' },
        { timestamp: A.get.timestamp, nonce: A.get.nonce, echostr: A.get.echostr },
        { ...A.get, nonce: '1514711493' },
        { signature: A.get.signature, echostr: A.get.echostr },
      ];
      for (const params of cases) {
        const res = await app.request(`/?${new URLSearchParams(params)}`);
        expect(res.status).toBe(401);
        expect(await res.text()).not.toContain(A.get.echostr);
      }
    });

    it('a verified GET without echostr → 400', async () => {
      const { app } = plain({ now: () => Number(A.get.timestamp) * 1000 });
      const { echostr: _omit, ...params } = A.get;
      const res = await app.request(`/?${new URLSearchParams(params)}`);
      expect(res.status).toBe(400);
    });

    it('stale timestamp → 403, echostr not echoed', async () => {
      const { app } = plain({ now: () => (Number(A.get.timestamp) + 301) * 1000 });
      const res = await app.request(`/?${new URLSearchParams({ ...A.get })}`);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain(A.get.echostr);
    });

    it('vector C: safe-mode encrypted echostr with msg_signature is decrypted', async () => {
      const bot = new FakeBot();
      const app = createWebhook({
        token: C.token,
        encodingAESKey: C.encodingAESKey,
        appId: C.appId,
        bot,
        now: () => Number(C.timestamp) * 1000,
      });
      const params = { timestamp: C.timestamp, nonce: C.nonce, echostr: C.echostr, msg_signature: C.msgSignature };
      const ok = await app.request(`/?${new URLSearchParams(params)}`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe(C.decrypted);

      const bad = await app.request(`/?${new URLSearchParams({ ...params, msg_signature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb97' })}`);
      expect(bad.status).toBe(401);
      const text = await bad.text();
      expect(text).not.toContain(C.decrypted);
      expect(text).not.toContain(C.echostr);

      const wrongApp = createWebhook({ token: C.token, encodingAESKey: C.encodingAESKey, appId: 'wxnotthisone', bot, now: () => Number(C.timestamp) * 1000 });
      const refused = await wrongApp.request(`/?${new URLSearchParams(params)}`);
      expect(refused.status).toBe(403);
      expect(await refused.text()).not.toContain(C.decrypted);
    });

    it('works mounted under /wechat, and only there', async () => {
      const { app } = plain({ now: () => Number(A.get.timestamp) * 1000 });
      const res = await app.mounted(`/wechat?${new URLSearchParams({ ...A.get })}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(A.get.echostr);
      expect((await app.mounted(`/wechatx?${new URLSearchParams({ ...A.get })}`)).status).toBe(404);
      expect((await app.mounted(`/wechat/x?${new URLSearchParams({ ...A.get })}`)).status).toBe(404);
    });
  });

  // ================================================================= plain POST

  describe('plain POST', () => {
    it('vector A query: a text message is answered with the passive reply XML', async () => {
      const { app, bot } = plain();
      const q = new URLSearchParams({ signature: A.plainPost.signature, timestamp: TS, nonce: NONCE, openid: 'oUser123' });
      const res = await post(app, q.toString(), messageXml({ content: '怎么申请？', msgId: '24537749063134539' }));
      expect(res.status).toBe(200);
      const reply = parseReply(await res.text());
      expect(reply).toEqual({
        ToUserName: 'oUser123',
        FromUserName: 'gh_account',
        CreateTime: String(NOW_S),
        MsgType: 'text',
        Content: '答：怎么申请？',
      });
      expect(reply['CreateTime']).toMatch(/^\d{10}$/); // seconds, not ms
      expect(bot.calls).toEqual([{ method: 'answer', text: '怎么申请？', user: 'oUser123', context: { channel: 'wechat' } }]);
    });

    it('a forged or missing signature → 401 and the bot is not called', async () => {
      const { app, bot } = plain();
      const body = messageXml({ content: 'hi', msgId: '1' });
      const forged = new URLSearchParams({ signature: '0'.repeat(40), timestamp: TS, nonce: NONCE });
      expect((await post(app, forged.toString(), body)).status).toBe(401);
      expect((await post(app, `timestamp=${TS}&nonce=${NONCE}`, body)).status).toBe(401);
      expect((await post(app, '', body)).status).toBe(401);
      // signature of another token
      expect((await post(app, signedQuery('BBBBB', TS, NONCE), body)).status).toBe(401);
      // valid signature, tampered nonce
      const tampered = new URLSearchParams({ signature: A.plainPost.signature, timestamp: TS, nonce: '486452657' });
      expect((await post(app, tampered.toString(), body)).status).toBe(401);
      expect(bot.calls).toEqual([]);
    });

    it('timestamp outside ±300 s → 403; inside the window → answered', async () => {
      const { app, bot } = plain();
      const body = messageXml({ content: 'hi', msgId: '1' });
      for (const ts of [NOW_S + 301, NOW_S - 301, 0]) {
        const res = await post(app, plainQuery(String(ts)), body);
        expect(res.status).toBe(403);
      }
      expect((await post(app, plainQuery('abc'), body)).status).toBe(403);
      expect(bot.calls).toEqual([]);
      expect((await post(app, plainQuery(String(NOW_S - 300)), body)).status).toBe(200);
      expect((await post(app, plainQuery(String(NOW_S + 300)), messageXml({ content: 'hi', msgId: '2' }))).status).toBe(200);
      expect(bot.calls).toHaveLength(2);
    });

    it('a body over 64 KB → 413 (declared, undeclared, or streamed without end)', async () => {
      const { app, bot } = plain();
      const big = messageXml({ content: 'a'.repeat(65 * 1024), msgId: '1' });
      expect((await post(app, plainQuery(), big)).status).toBe(413);
      expect((await post(app, plainQuery(), big, { 'Content-Length': String(Buffer.byteLength(big)) })).status).toBe(413);
      expect((await post(app, plainQuery(), 'x', { 'Content-Length': String(10_000_000) })).status).toBe(413);

      // 16 KB chunks without a Content-Length. In process, 1.6 MB of which the webhook must take
      // only the first few; over a socket, whose buffers take in megabytes whatever the server
      // does, a stream that never ends: the refusal must come without waiting for an end.
      let pulled = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          if (via === 'hono' && pulled > 100) controller.close();
          else controller.enqueue(new Uint8Array(16 * 1024).fill(0x61));
        },
      });
      const res = await app.request(`/?${plainQuery()}`, { method: 'POST', body: endless, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(413);
      if (via === 'hono') expect(pulled).toBeLessThan(10); // stopped reading, did not buffer the whole stream
      expect(bot.calls).toEqual([]);
    });

    it('DOCTYPE / ENTITY bodies (billion laughs, XXE) → 400', async () => {
      const { app, bot } = plain();
      for (const body of [fixture('billion-laughs.xml'), fixture('xxe.xml'), '<!ENTITY x "y"><xml/>']) {
        const res = await post(app, plainQuery(), body);
        expect(res.status).toBe(400);
      }
      expect(bot.calls).toEqual([]);
    });

    it('garbage, empty, incomplete or ambiguous bodies → 400, never reaching the bot', async () => {
      const { app, bot } = plain();
      const bodies = [
        'garbage',
        '',
        '<xml>',
        '\u0000\u0001\u0002',
        '{"MsgType":"text"}',
        '<xml><ToUserName>gh</ToUserName></xml>',
        messageXml({ from: '' , content: 'hi', msgId: '1' }),
        messageXml({ content: 'hi', msgId: 'not-a-number' }),
        messageXml({ content: 'hi', msgId: '1' }).replace('</xml>', '<FromUserName>oOther</FromUserName></xml>'),
        '<xml><__proto__><x>1</x></__proto__></xml>',
      ];
      for (const body of bodies) {
        const res = await post(app, plainQuery(), body);
        expect(res.status, body).toBe(400);
        expect(await res.text()).not.toMatch(/\bat \S+ \(/); // no stack trace
      }
      const invalidUtf8 = new Uint8Array([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x78, 0x6d, 0x6c, 0x3e]);
      expect((await post(app, plainQuery(), invalidUtf8)).status).toBe(400);
      expect((await post(app, `${plainQuery()}&encrypt_type=rsa`, messageXml({ content: 'hi', msgId: '1' }))).status).toBe(400);
      expect(bot.calls).toEqual([]);
    });

    it('fuzz: arbitrary bodies with a valid signature never crash and never reach the bot', async () => {
      const { app, bot } = plain();
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('<xml></xml>', '<xml/>', '<xml><a><b><c></c></b></a></xml>')),
          async (body) => {
            const res = await post(app, plainQuery(), body);
            expect([400, 413]).toContain(res.status);
          },
        ),
        { numRuns: 150 },
      );
      expect(bot.calls).toEqual([]);
    });

    it('encrypt_type=raw is plain mode', async () => {
      const { app, bot } = plain();
      const res = await post(app, `${plainQuery()}&encrypt_type=raw`, messageXml({ content: 'hi', msgId: '1' }));
      expect(res.status).toBe(200);
      expect(parseReply(await res.text())['Content']).toBe('答：hi');
      expect(bot.calls).toHaveLength(1);
    });
  });

  // ================================================================= message kinds

  describe('message kinds', () => {
    const send = async (app: Webhook, body: string): Promise<string> => {
      const res = await post(app, plainQuery(), body);
      expect(res.status).toBe(200);
      return res.text();
    };

    it('subscribe → welcome()', async () => {
      const { app, bot } = plain();
      const reply = parseReply(await send(app, eventXml('subscribe', { eventKey: '' })));
      expect(reply['Content']).toBe(bot.welcome());
      expect(bot.calls[0]).toEqual({ method: 'welcome' });
    });

    it('CLICK → menu(EventKey, user)', async () => {
      const { app, bot } = plain();
      const reply = parseReply(await send(app, eventXml('CLICK', { eventKey: 'guide_apply' })));
      expect(reply['Content']).toBe('菜单：guide_apply');
      expect(bot.calls).toEqual([{ method: 'menu', key: 'guide_apply', user: 'oUser123', context: { channel: 'wechat' } }]);
    });

    it('unsubscribe, VIEW, SCAN, LOCATION → "success" without asking the bot', async () => {
      const { app, bot } = plain();
      for (const [i, event] of ['unsubscribe', 'VIEW', 'SCAN', 'LOCATION'].entries()) {
        expect(await send(app, eventXml(event, { eventKey: 'k', createTime: String(NOW_S - i) }))).toBe('success');
      }
      expect(bot.calls).toEqual([]);
    });

    it('image, video, shortvideo, location, link → unsupported(kind)', async () => {
      const { app, bot } = plain();
      for (const [i, kind] of ['image', 'video', 'shortvideo', 'location', 'link'].entries()) {
        const reply = parseReply(await send(app, messageXml({ msgType: kind, msgId: String(100 + i), extra: { MediaId: 'm1' } })));
        expect(reply['Content']).toBe(`暂不支持${kind}消息，请发文字。`);
      }
      expect(bot.calls.map((c) => (c.method === 'unsupported' ? c.kind : c.method))).toEqual(['image', 'video', 'shortvideo', 'location', 'link']);
    });

    it('other events → unsupported("event")', async () => {
      const { app, bot } = plain();
      const reply = parseReply(await send(app, eventXml('scancode_push', { eventKey: 'x' })));
      expect(reply['Content']).toBe('暂不支持event消息，请发文字。');
      expect(bot.calls).toEqual([{ method: 'unsupported', kind: 'event' }]);
    });

    it('voice with Recognition is answered as text; without it → unsupported("voice")', async () => {
      const { app, bot } = plain();
      const withText = parseReply(await send(app, messageXml({ msgType: 'voice', msgId: '1', extra: { MediaId: 'm', Format: 'amr', Recognition: '办事指南' } })));
      expect(withText['Content']).toBe('答：办事指南');
      const without = parseReply(await send(app, messageXml({ msgType: 'voice', msgId: '2', extra: { MediaId: 'm', Format: 'amr' } })));
      expect(without['Content']).toBe('暂不支持voice消息，请发文字。');
      expect(bot.calls).toEqual([
        { method: 'answer', text: '办事指南', user: 'oUser123', context: { channel: 'wechat' } },
        { method: 'unsupported', kind: 'voice' },
      ]);
    });

    it('a reply containing ]]> is split across CDATA sections and parses back exactly', async () => {
      const { app, bot } = plain();
      bot.replyFor = () => 'if (a[b[0]]>1) <b>&amp;</b> ]]]]> 结束😀';
      const reply = parseReply(await send(app, messageXml({ content: 'x', msgId: '1' })));
      expect(reply['Content']).toBe('if (a[b[0]]>1) <b>&amp;</b> ]]]]> 结束😀');
    });

    it('long replies are cut to the WeChat text limit', async () => {
      const { app, bot } = plain();
      bot.replyFor = () => '长'.repeat(5000);
      const reply = parseReply(await send(app, messageXml({ content: 'x', msgId: '1' })));
      expect(Buffer.byteLength(reply['Content']!)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
      expect(reply['Content']!.endsWith('…')).toBe(true);
    });

    it('an empty reply → "success"', async () => {
      const { app, bot } = plain();
      bot.replyFor = () => '  ';
      expect(await send(app, messageXml({ content: 'x', msgId: '1' }))).toBe('success');
    });

    it('a failing bot → an apology, never a 500, and a retry does not ask again', async () => {
      const { app, bot } = plain();
      bot.fail = true;
      const body = messageXml({ content: 'x', msgId: '77' });
      const first = await send(app, body);
      expect(parseReply(first)['Content']).toBe(APOLOGY);
      expect(await send(app, body)).toBe(first);
      expect(bot.calls).toHaveLength(1);
    });
  });

  // ================================================================= retries and timeouts

  describe('retries and duplicates', () => {
    it('the same message delivered 3 times → bot called once, three identical replies', async () => {
      const { app, bot } = plain();
      const body = messageXml({ content: '公开目录在哪', msgId: '9223372036854775807' });
      const query = plainQuery();
      const replies: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await post(app, query, body);
        expect(res.status).toBe(200);
        replies.push(await res.text());
      }
      expect(new Set(replies).size).toBe(1);
      expect(parseReply(replies[0]!)['Content']).toBe('答：公开目录在哪');
      expect(bot.calls).toHaveLength(1);
    });

    it('concurrent deliveries while the first is still answering share one answer', async () => {
      const { app, bot } = plain({ replyTimeoutMs: 2000 });
      bot.delayMs = 150;
      const body = messageXml({ content: 'slowish', msgId: '42' });
      const responses = await Promise.all([0, 20, 40].map(async (d) => {
        await sleep(d);
        return post(app, plainQuery(), body);
      }));
      const texts = await Promise.all(responses.map((r) => r.text()));
      expect(new Set(texts).size).toBe(1);
      expect(parseReply(texts[0]!)['Content']).toBe('答：slowish');
      expect(bot.calls).toHaveLength(1);
    });

    it('64-bit MsgIds that collide as JS numbers are still different messages', async () => {
      const { app, bot } = plain();
      await post(app, plainQuery(), messageXml({ content: 'a', msgId: '9223372036854775807' }));
      await post(app, plainQuery(), messageXml({ content: 'b', msgId: '9223372036854775806' }));
      expect(bot.calls.map((c) => (c.method === 'answer' ? c.text : ''))).toEqual(['a', 'b']);
    });

    it('events are deduplicated by FromUserName + CreateTime + Event + EventKey', async () => {
      const { app, bot } = plain();
      bot.delayMs = 50;
      const click = eventXml('CLICK', { eventKey: 'contact' });
      const texts = await Promise.all([1, 2, 3].map(async () => (await post(app, plainQuery(), click)).text()));
      expect(new Set(texts).size).toBe(1);
      expect(bot.calls).toHaveLength(1);

      const sub = eventXml('subscribe');
      const subs = [await (await post(app, plainQuery(), sub)).text(), await (await post(app, plainQuery(), sub)).text(), await (await post(app, plainQuery(), sub)).text()];
      expect(new Set(subs).size).toBe(1);
      expect(bot.calls.filter((c) => c.method === 'welcome')).toHaveLength(1);

      // a new click (other CreateTime) or another user is a new event
      await post(app, plainQuery(), eventXml('CLICK', { eventKey: 'contact', createTime: String(NOW_S + 1) }));
      await post(app, plainQuery(), eventXml('CLICK', { eventKey: 'contact', from: 'oOtherUser' }));
      expect(bot.calls.filter((c) => c.method === 'menu')).toHaveLength(3);
    });

    it('a slow bot → "success" in time; a later retry gets the ready answer; the bot is asked once', async () => {
      const { app, bot } = plain({ replyTimeoutMs: 60 });
      bot.delayMs = 250;
      const body = messageXml({ content: 'slow', msgId: '5' });
      const t0 = performance.now();
      const first = await post(app, plainQuery(), body);
      expect(await first.text()).toBe('success');
      expect(performance.now() - t0).toBeLessThan(240);
      // a retry while the answer is still being worked on: waits again, still "success"
      expect(await (await post(app, plainQuery(), body)).text()).toBe('success');
      await sleep(300);
      const late = await post(app, plainQuery(), body);
      expect(parseReply(await late.text())['Content']).toBe('答：slow');
      expect(bot.calls).toHaveLength(1);
    });

    it('a captured request replayed 65 s later, inside the timestamp window, is not answered again', async () => {
      let now = NOW_S * 1000;
      const { app, bot } = plain({ now: () => now });
      const body = messageXml({ content: '重放', msgId: '777' });
      const query = plainQuery();
      const first = await (await post(app, query, body)).text();
      expect(parseReply(first)['Content']).toBe('答：重放');
      // WeChat's retries (within about 15 s) get the same reply…
      for (const later of [5_000, 15_000, 25_000]) {
        now = NOW_S * 1000 + later;
        expect(await (await post(app, query, body)).text(), `${later} ms later`).toBe(first);
      }
      // …a replay after the reply is let go (30 s) gets "success": known, never answered again.
      for (const later of [65_000, 200_000, 290_000]) {
        now = NOW_S * 1000 + later;
        const again = await post(app, query, body);
        expect(again.status, `${later} ms later`).toBe(200);
        expect(await again.text(), `${later} ms later`).toBe('success');
      }
      expect(bot.calls).toHaveLength(1);
      // Past the window the signature check refuses it.
      now = NOW_S * 1000 + 301_000;
      expect((await post(app, query, body)).status).toBe(403);
      expect(bot.calls).toHaveLength(1);
    });

    it('a retry with the identical query string is not treated as a replay', async () => {
      const { app, bot } = plain();
      const query = plainQuery();
      const a = await post(app, query, messageXml({ content: 'one', msgId: '1' }));
      const b = await post(app, query, messageXml({ content: 'one', msgId: '1' }));
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(bot.calls).toHaveLength(1);
    });
  });

  // ================================================================= safe mode

  describe('safe mode (encrypt_type=aes)', () => {
    it('end to end with wechat-crypto: decrypt, answer, encrypted reply with a valid MsgSignature', async () => {
      const { app, bot, ref } = safe();
      const { query, body } = safeRequest(ref, messageXml({ content: '你好 😀', msgId: '31415926' }));
      const res = await post(app, query, body);
      expect(res.status).toBe(200);
      const reply = openEnvelope(ref, await res.text());
      expect(reply).toMatchObject({ ToUserName: 'oUser123', FromUserName: 'gh_account', MsgType: 'text', Content: '答：你好 😀' });
      expect(bot.calls).toEqual([{ method: 'answer', text: '你好 😀', user: 'oUser123', context: { channel: 'wechat' } }]);
    });

    it('vector B through the webhook', async () => {
      const bot = new FakeBot();
      const app = createWebhook({ token: B.token, appId: B.appId, encodingAESKey: B.encodingAESKey, bot, now: () => Number(B.timestamp) * 1000 });
      const query = new URLSearchParams({
        signature: sha1Sorted([B.token, B.timestamp, B.nonce]),
        timestamp: B.timestamp,
        nonce: B.nonce,
        openid: 'asdasdasdsadasd',
        encrypt_type: 'aes',
        msg_signature: B.msgSignature,
      });
      const res = await post(app, query.toString(), `<xml><ToUserName><![CDATA[asdasdasd]]></ToUserName><Encrypt><![CDATA[${B.encrypt}]]></Encrypt></xml>`);
      expect(res.status).toBe(200);
      expect(bot.calls).toEqual([{ method: 'answer', text: 'hello', user: 'asdasdasdsadasd', context: { channel: 'wechat' } }]);
      const ref = new WXBizMsgCrypt(B.token, B.encodingAESKey, B.appId);
      const env = parseReply(await res.text());
      expect(env['MsgSignature']).toBe(ref.getSignature(env['TimeStamp']!, env['Nonce']!, env['Encrypt']!));
      expect(parseReply(ref.decrypt(env['Encrypt']!).message)['Content']).toBe('答：hello');
    });

    it('vector A: signatures verify, but the JSON-format message is refused as non-XML (400)', async () => {
      const bot = new FakeBot();
      const app = createWebhook({ token: A.token, appId: A.safe.appId, encodingAESKey: A.safe.encodingAESKey, bot, now: () => Number(A.safe.timestamp) * 1000 });
      const q = new URLSearchParams({
        signature: A.safe.signature,
        timestamp: A.safe.timestamp,
        nonce: A.safe.nonce,
        encrypt_type: 'aes',
        msg_signature: A.safe.msgSignature,
      });
      const { logger, lines } = captureLogger();
      const logged = createWebhook({ token: A.token, appId: A.safe.appId, encodingAESKey: A.safe.encodingAESKey, bot, logger, now: () => Number(A.safe.timestamp) * 1000 });
      const body = `<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName><Encrypt><![CDATA[${A.safe.encrypt}]]></Encrypt></xml>`;
      expect((await post(app, q.toString(), body)).status).toBe(400);
      expect((await post(logged, q.toString(), body)).status).toBe(400);
      expect(lines.join('\n')).toContain('xml-malformed');
      expect(bot.calls).toEqual([]);
    });

    it('compatible mode (plaintext fields + Encrypt): the encrypted content is what counts', async () => {
      const { app, bot, ref } = safe();
      const inner = messageXml({ content: 'hello', msgId: '8' });
      const outerPlain = '<ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[oUser123]]></FromUserName><CreateTime>1714037059</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[evil]]></Content><MsgId>8</MsgId>';
      const { query, body } = safeRequest(ref, inner, { compatiblePlain: outerPlain });
      const res = await post(app, query, body);
      expect(res.status).toBe(200);
      expect(openEnvelope(ref, await res.text())['Content']).toBe('答：hello');
      expect(bot.calls).toEqual([{ method: 'answer', text: 'hello', user: 'oUser123', context: { channel: 'wechat' } }]);
    });

    it('a ciphertext for another appid → 403, bot not called', async () => {
      const { app, bot } = safe();
      const other = new WXBizMsgCrypt(SAFE.token, SAFE.key, 'wxffffffffffffffff');
      const { query, body } = safeRequest(other, messageXml({ content: 'hi', msgId: '1' }));
      expect((await post(app, query, body)).status).toBe(403);
      expect(bot.calls).toEqual([]);
    });

    it('a plaintext POST is refused when an EncodingAESKey is configured', async () => {
      const { app, bot } = safe();
      const body = messageXml({ content: 'hi', msgId: '1' });
      expect((await post(app, signedQuery(SAFE.token, TS, NONCE), body)).status).toBe(403);
      expect((await post(app, signedQuery(SAFE.token, TS, NONCE, { encrypt_type: 'raw' }), body)).status).toBe(403);
      expect(bot.calls).toEqual([]);
    });

    it('bad msg_signature, missing Encrypt, garbage ciphertext → refused, bot not called', async () => {
      const { app, bot, ref } = safe();
      const good = safeRequest(ref, messageXml({ content: 'hi', msgId: '1' }));
      const badSig = good.query.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'a'.repeat(40)}`);
      expect((await post(app, badSig, good.body)).status).toBe(401);
      const noMsgSig = good.query.replace(/&msg_signature=[0-9a-f]{40}/, '');
      expect((await post(app, noMsgSig, good.body)).status).toBe(401);
      const noEncrypt = '<xml><ToUserName><![CDATA[gh_account]]></ToUserName></xml>';
      expect((await post(app, good.query, noEncrypt)).status).toBe(400);
      // a correctly signed but undecryptable Encrypt
      const junk = Buffer.alloc(64, 7).toString('base64');
      const junkQuery = signedQuery(SAFE.token, TS, NONCE, { encrypt_type: 'aes', msg_signature: sha1Sorted([SAFE.token, TS, NONCE, junk]) });
      expect((await post(app, junkQuery, `<xml><Encrypt><![CDATA[${junk}]]></Encrypt></xml>`)).status).toBe(400);
      // the decrypted payload is hostile XML
      const hostile = safeRequest(ref, fixture('billion-laughs.xml'));
      expect((await post(app, hostile.query, hostile.body)).status).toBe(400);
      expect(bot.calls).toEqual([]);
    });

    it('encrypted delivery without a configured key → 400', async () => {
      const { app, bot } = plain();
      const ref = new WXBizMsgCrypt(TOKEN, SAFE.key, SAFE.appId);
      const { query, body } = safeRequest(ref, messageXml({ content: 'hi', msgId: '1' }), { token: TOKEN });
      expect((await post(app, query, body)).status).toBe(400);
      expect(bot.calls).toEqual([]);
    });

    it('key rotation: a message under the previous key is accepted; the reply uses the current key', async () => {
      const oldKey = 'OldKey0123456789abcdefghijklmnopqrstuvwxyzA';
      const { app, bot } = safe({ previousEncodingAESKey: oldKey });
      const oldRef = new WXBizMsgCrypt(SAFE.token, oldKey, SAFE.appId);
      const newRef = new WXBizMsgCrypt(SAFE.token, SAFE.key, SAFE.appId);
      const { query, body } = safeRequest(oldRef, messageXml({ content: 'rotated', msgId: '11' }));
      const res = await post(app, query, body);
      expect(res.status).toBe(200);
      expect(openEnvelope(newRef, await res.text())['Content']).toBe('答：rotated');
      expect(bot.calls).toHaveLength(1);

      const { app: strict } = safe();
      expect((await post(strict, query, body)).status).toBe(400);
    });

    it('retries in safe mode get byte-identical encrypted replies; the bot is asked once', async () => {
      const { app, bot, ref } = safe();
      bot.delayMs = 40;
      const { query, body } = safeRequest(ref, messageXml({ content: 'again', msgId: '99' }));
      const texts = await Promise.all([0, 1, 2].map(async () => (await post(app, query, body)).text()));
      texts.push(await (await post(app, query, body)).text());
      expect(new Set(texts).size).toBe(1);
      expect(openEnvelope(ref, texts[0]!)['Content']).toBe('答：again');
      expect(bot.calls).toHaveLength(1);
    });

    it('"success" replies (unsubscribe) are sent unencrypted', async () => {
      const { app, ref } = safe();
      const { query, body } = safeRequest(ref, eventXml('unsubscribe'));
      const res = await post(app, query, body);
      expect(await res.text()).toBe('success');
    });
  });

  // ================================================================= configuration and logging

  describe('configuration', () => {
    it('refuses an invalid token or key with a clear message', () => {
      const bot = new FakeBot();
      expect(() => createWebhook({ token: 'ab', bot })).toThrow('WECHAT_TOKEN 必须是 3-32 位字母或数字（现在是 2 位）');
      expect(() => createWebhook({ token: 'abc', bot, appId: 'wx1', encodingAESKey: 'x'.repeat(42) })).toThrow(
        'WECHAT_ENCODING_AES_KEY 必须是 43 位字母或数字（现在是 42 位）',
      );
      expect(() => createWebhook({ token: 'abc', bot, encodingAESKey: SAFE.key })).toThrow('WECHAT_APPID');
      expect(() => createWebhook({ token: 'abc', bot, previousEncodingAESKey: SAFE.key })).toThrow('WECHAT_PREVIOUS_ENCODING_AES_KEY');
    });
  });

  describe('logging', () => {
    it('refusals are logged with a reason, without secrets or message content', async () => {
      const { logger, lines } = captureLogger();
      const { app, ref } = safe({ logger });
      const secretText = '我的身份证号是 110101199001011234';
      // wrong appid
      const other = new WXBizMsgCrypt(SAFE.token, SAFE.key, 'wxffffffffffffffff');
      const r1 = safeRequest(other, messageXml({ content: secretText, msgId: '1' }));
      await post(app, r1.query, r1.body);
      // forged signature
      await post(app, `signature=${'0'.repeat(40)}&timestamp=${TS}&nonce=${NONCE}`, messageXml({ content: secretText, msgId: '2' }));
      // accepted message, for good measure
      const r3 = safeRequest(ref, messageXml({ content: secretText, msgId: '3' }));
      expect((await post(app, r3.query, r3.body)).status).toBe(200);

      const log = lines.join('\n');
      expect(log).toContain('decrypt-wrong-appid');
      expect(log).toContain('bad-signature');
      for (const secret of [SAFE.token, SAFE.key, secretText, '身份证']) expect(log).not.toContain(secret);
      const refusals = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['reason']);
      expect(refusals.map((l) => l['status'])).toEqual(expect.arrayContaining([401, 403]));
    });
  });
});

describe('retries at full throughput', () => {
  it('a retry after 20,000 other messages is answered once', async () => {
    // The handler itself, without a transport, and a bot that answers at once: 20,000 messages in a second or two.
    const asked: string[] = [];
    const bot = new FakeBot();
    bot.answer = async (text) => {
      asked.push(text);
      return { reply: `答：${text}`, answered: true, intent: 'unknown', confidence: 1, sources: [] };
    };
    const handle = createWebhookHandler({ token: TOKEN, bot, now: () => NOW_S * 1000 });
    const deliver = async (content: string, msgId: string) =>
      (await handle({ method: 'POST', query: Object.fromEntries(new URLSearchParams(plainQuery())), readBody: async () => ({ ok: true, text: messageXml({ content, msgId }) }) })).body;
    const first = await deliver('最早的问题', '1');
    for (let i = 0; i < 20_000; i++) await deliver(`其他问题 ${i}`, String(1_000_000 + i));
    // The same reply while it is kept (16 MB of replies), else "success": never a second answer.
    expect([first, 'success']).toContain(await deliver('最早的问题', '1'));
    expect(asked.filter((text) => text === '最早的问题')).toHaveLength(1);
    expect(asked).toHaveLength(20_001);
  }, 30_000);
});


describe('refusals under a flood', () => {
  it('1,000 forged requests make two log lines, not a thousand', async () => {
    let now = NOW_S * 1000;
    const { logger, lines } = captureLogger();
    const handle = createWebhookHandler({ token: TOKEN, bot: new FakeBot(), logger, now: () => now });
    const forged = Object.fromEntries(new URLSearchParams(`signature=${'0'.repeat(40)}&timestamp=${TS}&nonce=${NONCE}`));
    for (let i = 0; i < 1_000; i++) {
      const res = await handle({ method: 'POST', query: forged, readBody: async () => ({ ok: true, text: messageXml({ content: 'x', msgId: String(i) }) }) });
      expect(res.status).toBe(401);
    }
    now += 11_000;
    await handle({ method: 'POST', query: forged, readBody: async () => ({ ok: true, text: '<xml/>' }) });
    const refusals = lines.map((l) => JSON.parse(l) as { reason?: string; more?: number }).filter((l) => l.reason === 'bad-signature');
    expect(refusals).toHaveLength(3); // the first, the sum of the other 999, the first of the new window
    expect(refusals[1]!.more).toBe(999);
  });
});
