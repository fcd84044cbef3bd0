/**
 * The WeChat official-account webhook: `createWebhookHandler` is the whole of it over a plain
 * request (method, query, a body reader), and two thin adapters serve it: `createWebhook`, a Hono
 * sub-app (app.route('/wechat', …), what in-process tests call), and `webhookListener` in
 * node-listener.ts, which the server puts in front of Hono because this route carries the load.
 *
 * GET  /  URL verification (plain echostr, or an encrypted echostr with msg_signature).
 * POST /  messages and events, plain or safe mode (encrypt_type=aes; compatible mode included).
 *
 * Status codes: 401 bad/missing signature or msg_signature; 403 timestamp outside the window,
 * a plaintext POST while safe mode is configured, or a ciphertext for another appid;
 * 413 body over 64 KB; 400 anything malformed (XML, DOCTYPE/ENTITY, missing fields, undecryptable).
 * A refused request never reaches the bot.
 */
import { Hono } from 'hono';
import type { Answer, Bot } from '../../answer/types.ts';
import { silentLogger } from '../../log.ts';
import type { Logger } from '../../log.ts';
import { DecryptError, WechatConfigError, WechatCrypto, validateToken } from './crypto.ts';
import { Deadlines } from './deadline.ts';
import { ReplyCache, dedupKey, type ReplyStore, type SharedReplyOptions } from './dedup.ts';
import { sha1Signature, verifyMsgSignature, verifySignature } from './signature.ts';
import {
  MAX_XML_BYTES,
  XmlError,
  buildEncryptedReply,
  buildTextReply,
  parseXmlFields,
  toIncomingMessage,
  truncateUtf8,
} from './xml.ts';
import type { IncomingMessage, XmlFields } from './xml.ts';

export interface WebhookOptions {
  token: string;
  appId?: string;
  encodingAESKey?: string;
  previousEncodingAESKey?: string;
  bot: Bot;
  logger?: Logger;
  /** How long to wait for the bot before answering "success". Default 4500 ms (WeChat waits 5 s). */
  replyTimeoutMs?: number;
  /** Accepted clock skew of the signed timestamp, in seconds. Default 300. */
  maxSkewSeconds?: number;
  /** Clock in ms, for the timestamp window, reply CreateTime and the retry cache. */
  now?: () => number;
  /**
   * Shares retries between instances: given this process's cache and the reply meaning "none",
   * the cache to use (see
   * store/redis-replies.ts). Default: this process's cache alone.
   */
  shareReplies?: ((local: ReplyCache<string>, reply: SharedReplyOptions) => ReplyStore<string>) | undefined;
}

/** The channel name passed to the bot. */
export const CHANNEL = 'wechat';
/** Replies are cut to this many UTF-8 bytes (WeChat's text limit is about 2048 bytes). */
export const MAX_REPLY_BYTES = 2000;
/** Shown when the bot fails with an error. */
export const APOLOGY = '抱歉，系统暂时出了点问题，请稍后再试。';

/** The reply that makes WeChat show nothing (and not retry). */
export const SUCCESS = 'success';
/** Warnings of one kind beyond the first in this window are summed up, not logged one by one. */
const WARNING_WINDOW_MS = 10_000;
const TIMEOUT: unique symbol = Symbol('timeout');
type Waited = string | typeof TIMEOUT;

type Status = 400 | 401 | 403 | 405 | 413;

export type BodyResult = { ok: true; text: string } | { ok: false; status: 400 | 413; reason: string };

/** A request as the webhook needs it, whatever server carried it. */
export interface WebhookRequest {
  method: string;
  /** The query string's parameters, the first value of each. */
  query: Readonly<Record<string, string | undefined>>;
  /** Reads the body as UTF-8, refusing more than `limit` bytes without buffering them. */
  readBody(limit: number): Promise<BodyResult>;
}

export const TEXT = 'text/plain; charset=utf-8';
export const XML = 'application/xml; charset=utf-8';

export interface WebhookResponse {
  status: 200 | Status | 500;
  body: string;
  contentType: typeof TEXT | typeof XML;
}

export type WebhookHandler = (request: WebhookRequest) => Promise<WebhookResponse>;

interface Mode {
  encrypted: boolean;
  nonce: string;
}

const text = (body: string, status: WebhookResponse['status'] = 200): WebhookResponse => ({ status, body, contentType: TEXT });

export function createWebhookHandler(options: WebhookOptions): WebhookHandler {
  validateToken(options.token);
  const token = options.token;
  if (options.previousEncodingAESKey && !options.encodingAESKey) {
    throw new WechatConfigError('WECHAT_PREVIOUS_ENCODING_AES_KEY 只能和 WECHAT_ENCODING_AES_KEY 一起使用');
  }
  const crypto = options.encodingAESKey
    ? new WechatCrypto({
        encodingAESKey: options.encodingAESKey,
        appId: options.appId ?? '',
        ...(options.previousEncodingAESKey ? { previousEncodingAESKey: options.previousEncodingAESKey } : {}),
      })
    : undefined;
  const bot = options.bot;
  const logger = options.logger ?? silentLogger;
  const replyTimeoutMs = options.replyTimeoutMs ?? 4500;
  const maxSkewSeconds = options.maxSkewSeconds ?? 300;
  const now = options.now ?? Date.now;
  // A message is remembered while its signed timestamp can still pass the check: a replay of a
  // captured request within the window is not answered again (see dedup.ts).
  const local = new ReplyCache<string>({ ttlMs: 2 * maxSkewSeconds * 1000, now });
  const cache: ReplyStore<string> = options.shareReplies
    ? options.shareReplies(local, {
        none: SUCCESS,
        onWait: () => logger.info('wechat retry or duplicate answered on another instance: sharing its reply'),
      })
    : local;
  const deadlines = new Deadlines<Waited>(TIMEOUT);

  // A flood of forged or stale requests, or of messages the bot cannot answer in time, must not
  // become a flood of log lines: the first of each kind in a window is logged, the rest are counted
  // and summed up when the next window begins.
  const seenInWindow = new Map<string, { fields: Record<string, unknown>; msg: string; suppressed: number }>();
  let windowStart = now();
  const warnOnce = (kind: string, fields: Record<string, unknown>, msg: string): void => {
    const t = now();
    if (t - windowStart >= WARNING_WINDOW_MS) {
      for (const seen of seenInWindow.values()) {
        if (seen.suppressed > 0) logger.warn({ ...seen.fields, more: seen.suppressed, windowMs: t - windowStart }, `${seen.msg} (more of the same)`);
      }
      seenInWindow.clear();
      windowStart = t;
    }
    const seen = seenInWindow.get(kind);
    if (seen) seen.suppressed++;
    else {
      seenInWindow.set(kind, { fields, msg, suppressed: 0 });
      logger.warn(fields, msg);
    }
  };

  const refuse = (request: WebhookRequest, status: Status, reason: string): WebhookResponse => {
    warnOnce(`refused:${reason}`, { reason, status, method: request.method }, 'wechat webhook refused a request');
    return text(reason, status);
  };

  /** undefined when fresh, otherwise the reason. */
  const timestampProblem = (timestamp: string): string | undefined => {
    if (!/^\d{1,12}$/.test(timestamp)) return 'bad-timestamp';
    const skew = Math.abs(Math.floor(now() / 1000) - Number(timestamp));
    return skew > maxSkewSeconds ? 'stale-timestamp' : undefined;
  };

  const decryptRefusal = (request: WebhookRequest, err: unknown): WebhookResponse => {
    if (err instanceof DecryptError) {
      return refuse(request, err.code === 'wrong-appid' ? 403 : 400, `decrypt-${err.code}`);
    }
    throw err;
  };

  const xmlRefusal = (request: WebhookRequest, err: unknown): WebhookResponse => {
    if (err instanceof XmlError) {
      return refuse(request, err.code === 'too-large' ? 413 : 400, `xml-${err.code}`);
    }
    throw err;
  };

  // ------------------------------------------------------------------ GET: URL verification
  const verify = (request: WebhookRequest): WebhookResponse => {
    const q = request.query;
    const { signature, timestamp, nonce, echostr } = q;
    const msgSignature = q['msg_signature'];
    if (!timestamp || !nonce) return refuse(request, 401, 'missing-signature-params');

    if (msgSignature) {
      // Encrypted echostr (safe mode): msg_signature over [token, timestamp, nonce, echostr].
      if (!verifyMsgSignature(token, timestamp, nonce, echostr, msgSignature)) {
        return refuse(request, 401, 'bad-msg-signature');
      }
      if (signature && !verifySignature(token, timestamp, nonce, signature)) return refuse(request, 401, 'bad-signature');
      const stale = timestampProblem(timestamp);
      if (stale) return refuse(request, 403, stale);
      if (!crypto) return refuse(request, 400, 'encrypted-echostr-without-key');
      try {
        const plain = crypto.decrypt(echostr!);
        if (plain.key === 'previous') logger.info('wechat echostr decrypted with the previous EncodingAESKey');
        return text(plain.message);
      } catch (err) {
        return decryptRefusal(request, err);
      }
    }

    if (!verifySignature(token, timestamp, nonce, signature)) return refuse(request, 401, 'bad-signature');
    const stale = timestampProblem(timestamp);
    if (stale) return refuse(request, 403, stale);
    if (echostr === undefined) return refuse(request, 400, 'missing-echostr');
    return text(echostr);
  };

  // ------------------------------------------------------------------ POST: messages and events
  const receive = async (request: WebhookRequest): Promise<WebhookResponse> => {
    const started = performance.now();
    const q = request.query;
    const { signature, timestamp, nonce } = q;
    if (!verifySignature(token, timestamp, nonce, signature)) return refuse(request, 401, 'bad-signature');
    const stale = timestampProblem(timestamp!);
    if (stale) return refuse(request, 403, stale);

    const encryptType = (q['encrypt_type'] ?? 'raw').toLowerCase();
    if (encryptType !== 'raw' && encryptType !== 'aes') return refuse(request, 400, 'unknown-encrypt-type');
    if (encryptType === 'raw' && crypto) return refuse(request, 403, 'plaintext-refused-in-safe-mode');
    if (encryptType === 'aes' && !crypto) return refuse(request, 400, 'encrypted-without-key');

    const body = await request.readBody(MAX_XML_BYTES);
    if (!body.ok) {
      // A client that went away mid-body is nobody's error; thousands of them are not worth a warning each.
      if (body === READ_ERROR) return text(body.reason, body.status);
      return refuse(request, body.status, body.reason);
    }

    let fields: XmlFields;
    try {
      fields = parseXmlFields(body.text);
    } catch (err) {
      return xmlRefusal(request, err);
    }

    let message: IncomingMessage;
    try {
      if (crypto) {
        const encrypted = fields['Encrypt'];
        if (!encrypted) return refuse(request, 400, 'missing-encrypt');
        if (!verifyMsgSignature(token, timestamp, nonce, encrypted, q['msg_signature'])) {
          return refuse(request, 401, 'bad-msg-signature');
        }
        let plain: string;
        try {
          const decrypted = crypto.decrypt(encrypted);
          if (decrypted.key === 'previous') logger.info('wechat message decrypted with the previous EncodingAESKey');
          plain = decrypted.message;
        } catch (err) {
          return decryptRefusal(request, err);
        }
        message = toIncomingMessage(parseXmlFields(plain));
      } else {
        message = toIncomingMessage(fields);
      }
    } catch (err) {
      return xmlRefusal(request, err);
    }

    const mode: Mode = { encrypted: crypto !== undefined, nonce: nonce! };
    const windowEnds = (Number(timestamp) + maxSkewSeconds) * 1000 + 1000;
    const { promise, started: fresh } = cache.getOrStart(dedupKey(message), () => produceReply(message, mode), windowEnds, message.fromUserName);
    if (promise === undefined) {
      logger.info({ msgType: message.msgType }, 'wechat message seen before, its reply no longer kept: not answered again');
      return text(SUCCESS);
    }
    if (!fresh) logger.info({ msgType: message.msgType }, 'wechat retry or duplicate: sharing the first answer');

    const result = await deadlines.wait(promise, started + replyTimeoutMs, SUCCESS);
    if (result === TIMEOUT) {
      warnOnce('late', { msgType: message.msgType, timeoutMs: replyTimeoutMs }, 'wechat answer not ready in time; replied success');
      return text(SUCCESS);
    }
    if (result === SUCCESS) return text(SUCCESS);
    return { status: 200, body: result, contentType: XML };
  };

  /** Ask the bot (at most once per message) and render the full response body. Never rejects. */
  const produceReply = async (message: IncomingMessage, mode: Mode): Promise<string> => {
    let text: string | undefined;
    try {
      text = await dispatch(bot, message);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      logger.error({ err: { name: e.name, message: e.message }, msgType: message.msgType }, 'wechat bot failed');
      text = APOLOGY;
    }
    if (text === undefined || text.trim() === '') return SUCCESS;
    try {
      const nowMs = now();
      const xml = buildTextReply({
        toUser: message.fromUserName,
        fromUser: message.toUserName,
        createTime: Math.floor(nowMs / 1000),
        content: truncateUtf8(text, MAX_REPLY_BYTES),
      });
      if (!mode.encrypted || !crypto) return xml;
      const encrypt = crypto.encrypt(xml);
      const timestamp = String(Math.floor(nowMs / 1000));
      return buildEncryptedReply({
        encrypt,
        msgSignature: sha1Signature([token, timestamp, mode.nonce, encrypt]),
        timestamp,
        nonce: mode.nonce,
      });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      logger.error({ err: { name: e.name, message: e.message } }, 'wechat reply could not be built');
      return SUCCESS;
    }
  };

  return async (request) => {
    try {
      // HEAD is GET without a body, as every server treats it.
      if (request.method === 'GET' || request.method === 'HEAD') return verify(request);
      if (request.method === 'POST') return await receive(request);
      return refuse(request, 405, 'method-not-allowed');
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      logger.error({ err: { name: e.name, message: e.message } }, 'wechat webhook failed');
      return text('internal error', 500);
    }
  };
}

/** The webhook as a Hono sub-app, for `app.route('/wechat', …)`. */
export function createWebhook(options: WebhookOptions | WebhookHandler): Hono {
  const handle = typeof options === 'function' ? options : createWebhookHandler(options);
  const app = new Hono();
  app.all('/', async (c) => {
    const response = await handle({ method: c.req.method, query: c.req.query(), readBody: (limit) => readBodyLimited(c.req, limit) });
    return c.body(response.body, response.status, { 'Content-Type': response.contentType, 'X-Content-Type-Options': 'nosniff' });
  });
  return app;
}

/** What to say for one message: a reply text, or undefined for "success" (no reply). */
export async function dispatch(bot: Bot, message: IncomingMessage): Promise<string | undefined> {
  const user = message.fromUserName;
  const ctx = { channel: CHANNEL };
  const reply = (a: Answer): string => a.reply;
  switch (message.msgType) {
    case 'text':
      return reply(await bot.answer(message.content ?? '', user, ctx));
    case 'voice': {
      const recognition = message.recognition?.trim();
      return recognition ? reply(await bot.answer(recognition, user, ctx)) : bot.unsupported('voice');
    }
    case 'event':
      switch ((message.event ?? '').toLowerCase()) {
        case 'subscribe':
          return bot.welcome();
        case 'click':
          return reply(await bot.menu(message.eventKey ?? '', user, ctx));
        case 'unsubscribe':
        case 'view':
        case 'scan':
        case 'location':
          return undefined;
        default:
          return bot.unsupported('event');
      }
    default:
      // image, video, shortvideo, location, link, and anything new
      return bot.unsupported(message.msgType);
  }
}

/** Read a request body, refusing more than `limit` bytes without buffering them. */
/** The refusal for a body over the limit. */
export const TOO_LARGE: BodyResult = { ok: false, status: 413, reason: 'body-too-large' };
export const READ_ERROR: BodyResult = { ok: false, status: 400, reason: 'body-read-error' };

/** True when a Content-Length header already says the body is over `limit`. */
export function declaredTooLarge(declared: string | null | undefined, limit: number): boolean {
  return !!declared && /^\d+$/.test(declared) && Number(declared) > limit;
}

/** Stateless without `stream: true`, so one serves every request. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body's text, refused when it is not UTF-8. */
export function decodeBody(bytes: ArrayBuffer | Uint8Array): BodyResult {
  try {
    return { ok: true, text: UTF8.decode(bytes) };
  } catch {
    return { ok: false, status: 400, reason: 'body-not-utf8' };
  }
}

/** Read a request body, refusing more than `limit` bytes without buffering them. */
async function readBodyLimited(request: { raw: Request; arrayBuffer(): Promise<ArrayBuffer> }, limit: number): Promise<BodyResult> {
  const req = request.raw;
  const declared = req.headers.get('content-length');
  if (declaredTooLarge(declared, limit)) return TOO_LARGE;
  if (declared && /^\d+$/.test(declared)) {
    // WeChat always declares the length, and node's HTTP parser holds the body to it: read it in
    // one go, which spares the web stream the node adapter otherwise builds around the request.
    let bytes: ArrayBuffer;
    try {
      bytes = await request.arrayBuffer();
    } catch {
      return READ_ERROR;
    }
    return bytes.byteLength > limit ? TOO_LARGE : decodeBody(bytes);
  }
  if (!req.body) return { ok: true, text: '' };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        return TOO_LARGE;
      }
      chunks.push(value);
    }
  } catch {
    return READ_ERROR;
  }
  return decodeBody(Buffer.concat(chunks));
}
