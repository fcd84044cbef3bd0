/**
 * XML in and out for the WeChat official-account webhook. Pure functions.
 *
 * Parsing is deliberately strict and boring: bodies over 64 KB and anything with a DOCTYPE, an
 * ENTITY or any other markup declaration outside CDATA are refused before the parser sees them
 * (the same words inside a CDATA section are a resident's text), entity processing is off, and every
 * value stays a string (MsgId is a 64-bit integer and would lose precision as a JS number).
 * Free text from WeChat always comes in CDATA, so the predefined XML entities are not decoded.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const MAX_XML_BYTES = 64 * 1024;

export type XmlFailure = 'too-large' | 'doctype' | 'malformed';

export class XmlError extends Error {
  override readonly name = 'XmlError';
  constructor(readonly code: XmlFailure, message: string) {
    super(message);
  }
}

/**
 * The first markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, …) outside CDATA sections,
 * comments and processing instructions, or -1. Residents' text arrives in CDATA and may say
 * "<!DOCTYPE" as words: that is text, not a declaration. Linear in the body: each construct is
 * skipped to its end in one search.
 */
export function declarationAt(body: string): number {
  let i = body.indexOf('<');
  while (i !== -1) {
    if (body.startsWith('<![CDATA[', i)) {
      const end = body.indexOf(']]>', i + 9);
      if (end === -1) return -1; // unterminated: the validator refuses it as malformed
      i = body.indexOf('<', end + 3);
    } else if (body.startsWith('<!--', i)) {
      const end = body.indexOf('-->', i + 4);
      if (end === -1) return -1;
      i = body.indexOf('<', end + 3);
    } else if (body.startsWith('<?', i)) {
      const end = body.indexOf('?>', i + 2);
      if (end === -1) return -1;
      i = body.indexOf('<', end + 2);
    } else if (body.startsWith('<!', i)) {
      return i;
    } else if (!/[A-Za-z_:/\u0080-\uFFFF]/.test(body[i + 1] ?? '')) {
      // Not the start of a tag ("<<", "< "): the validator refuses it; look on from the next '<'.
      i = body.indexOf('<', i + 1);
    } else {
      // A tag: to its end, skipping quoted attribute values (which may hold '>'). A '<' before the
      // end means the tag is broken: look on from there.
      let j = i + 1;
      while (j < body.length && body[j] !== '>' && body[j] !== '<') {
        const quote = body[j];
        if (quote === '"' || quote === "'") {
          const close = body.indexOf(quote, j + 1);
          j = close === -1 ? body.length : close + 1;
        } else j++;
      }
      i = body[j] === '<' ? j : body.indexOf('<', j);
    }
  }
  return -1;
}

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  maxNestedTags: 16,
});

/** Top-level text fields of the `<xml>` root. Null-prototype object; nested elements are skipped. */
export type XmlFields = Readonly<Record<string, string>>;

/**
 * Parse an incoming WeChat XML body into its top-level string fields.
 * Throws XmlError: 'too-large' (> 64 KB), 'doctype' (DOCTYPE/ENTITY), 'malformed' (anything else).
 */
export function parseXmlFields(body: string): XmlFields {
  if (Buffer.byteLength(body, 'utf8') > MAX_XML_BYTES) {
    throw new XmlError('too-large', `body larger than ${MAX_XML_BYTES} bytes`);
  }
  if (declarationAt(body) !== -1) throw new XmlError('doctype', 'DOCTYPE, ENTITY and other declarations are not allowed');
  if (body.trim() === '') throw new XmlError('malformed', 'empty body');
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new XmlError('malformed', `invalid XML: ${valid.err.code}`);
  let doc: unknown;
  try {
    doc = parser.parse(body);
  } catch {
    throw new XmlError('malformed', 'XML could not be parsed');
  }
  if (!isRecord(doc) || Object.keys(doc).length !== 1 || !Object.hasOwn(doc, 'xml')) {
    throw new XmlError('malformed', 'root element must be <xml>');
  }
  const root = doc['xml'];
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  if (root === '') return fields;
  if (!isRecord(root)) throw new XmlError('malformed', 'root element must contain fields');
  for (const [key, value] of Object.entries(root)) {
    if (key === '#text') continue;
    if (Array.isArray(value)) throw new XmlError('malformed', `duplicate element <${key}>`);
    if (typeof value === 'string') fields[key] = value;
    // nested elements (e.g. ScanCodeInfo) are not needed and are skipped
  }
  return fields;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields the webhook uses, extracted from a parsed message. */
export interface IncomingMessage {
  toUserName: string;
  fromUserName: string;
  /** Seconds, as sent (string: kept exact). */
  createTime: string;
  /** Lower-cased MsgType: text, voice, image, video, shortvideo, location, link, event, … */
  msgType: string;
  msgId?: string;
  content?: string;
  recognition?: string;
  /** Event as sent (subscribe, unsubscribe, CLICK, VIEW, SCAN, LOCATION, …). */
  event?: string;
  eventKey?: string;
}

const USER_NAME = /^[A-Za-z0-9_\-@.]{1,128}$/;
const DIGITS = /^\d{1,20}$/;

/** Validate and extract the message fields; throws XmlError('malformed') when required ones are missing. */
/**
 * A copy of `s` that holds only its own characters. The parser's values are V8 "sliced strings":
 * views into the whole request body, which stays alive as long as any of them does. The question
 * log, the sessions, the rate limiter and the user-key cache keep the message's text and sender
 * for minutes to days, so without a copy each kept a whole request body (about a kilobyte).
 * Concatenating makes V8 build a new flat string; slicing off the added space keeps it exact.
 */
function own(s: string): string;
function own(s: string | undefined): string | undefined;
function own(s: string | undefined): string | undefined {
  return s === undefined ? undefined : ` ${s}`.slice(1);
}

export function toIncomingMessage(parsed: XmlFields): IncomingMessage {
  const fields = (name: string): string | undefined => own(parsed[name]);
  const toUserName = fields('ToUserName');
  const fromUserName = fields('FromUserName');
  const createTime = fields('CreateTime');
  const msgType = fields('MsgType');
  if (!toUserName || !USER_NAME.test(toUserName)) throw new XmlError('malformed', 'missing or invalid ToUserName');
  if (!fromUserName || !USER_NAME.test(fromUserName)) throw new XmlError('malformed', 'missing or invalid FromUserName');
  if (!createTime || !DIGITS.test(createTime)) throw new XmlError('malformed', 'missing or invalid CreateTime');
  if (!msgType || !/^[A-Za-z_]{1,32}$/.test(msgType)) throw new XmlError('malformed', 'missing or invalid MsgType');
  const msg: IncomingMessage = { toUserName, fromUserName, createTime, msgType: msgType.toLowerCase() };
  const msgId = fields('MsgId');
  if (msgId !== undefined) {
    if (!DIGITS.test(msgId)) throw new XmlError('malformed', 'invalid MsgId');
    msg.msgId = msgId;
  }
  for (const [name, key] of [['Content', 'content'], ['Recognition', 'recognition'], ['Event', 'event'], ['EventKey', 'eventKey']] as const) {
    const value = fields(name);
    if (value !== undefined) msg[key] = value;
  }
  return msg;
}

/** Parse and validate in one step. */
export function parseIncomingMessage(body: string): IncomingMessage {
  return toIncomingMessage(parseXmlFields(body));
}

// ---------------------------------------------------------------------------
// Building replies
// ---------------------------------------------------------------------------

// Characters not allowed in XML 1.0 (controls other than \t \n \r, U+FFFE/U+FFFF, lone surrogates).
const INVALID_XML_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Remove characters that XML 1.0 cannot carry at all. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_XML_CHARS, '');
}

/** Any character INVALID_XML_CHARS may match (a surrogate is suspect whether or not it is paired): one pass, no lookaround. */
const SUSPECT_XML_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

function wrapCdata(text: string): string {
  const clean = SUSPECT_XML_CHARS.test(text) ? stripInvalidXmlChars(text) : text;
  return `<![CDATA[${clean.includes(']]>') ? clean.replaceAll(']]>', ']]]]><![CDATA[>') : clean}]]>`;
}

/**
 * Reply texts repeat (the same few answers, replies the bot kept whole): their CDATA is made once
 * while they do. Scanning a reply of a few hundred characters for characters XML cannot carry
 * took 3-4 µs a message. Two generations of KEPT_CDATA texts; shorter texts (names, "text") are
 * wrapped each time, which costs less than keeping them.
 */
const KEPT_CDATA = 250;
const KEPT_CDATA_FROM = 64;
let recentCdata = new Map<string, string>();
let olderCdata = new Map<string, string>();

/** Wrap text in CDATA; `]]>` is split across two sections as `]]]]><![CDATA[>`. */
export function cdata(text: string): string {
  if (text.length < KEPT_CDATA_FROM) return wrapCdata(text);
  let wrapped = recentCdata.get(text);
  if (wrapped !== undefined) return wrapped;
  wrapped = olderCdata.get(text) ?? wrapCdata(text);
  if (recentCdata.size >= KEPT_CDATA) {
    olderCdata = recentCdata;
    recentCdata = new Map();
  }
  recentCdata.set(text, wrapped);
  return wrapped;
}

/**
 * Cut `text` to at most `maxBytes` UTF-8 bytes on a code-point boundary, appending `ellipsis`
 * (counted in the budget) when it had to cut.
 */
export function truncateUtf8(text: string, maxBytes: number, ellipsis = '…'): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let used = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > budget) break;
    used += size;
    out += ch;
  }
  return out + ellipsis;
}

export interface TextReply {
  /** The user's openid (the incoming FromUserName). */
  toUser: string;
  /** The account (the incoming ToUserName). */
  fromUser: string;
  /** Seconds since the epoch. */
  createTime: number;
  content: string;
}

/** The passive text reply. Callers swap the user names: toUser = incoming FromUserName. */
export function buildTextReply(reply: TextReply): string {
  return (
    '<xml>' +
    `<ToUserName>${cdata(reply.toUser)}</ToUserName>` +
    `<FromUserName>${cdata(reply.fromUser)}</FromUserName>` +
    `<CreateTime>${Math.floor(reply.createTime)}</CreateTime>` +
    `<MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(reply.content)}</Content>` +
    '</xml>'
  );
}

export interface EncryptedEnvelope {
  encrypt: string;
  msgSignature: string;
  /** Seconds since the epoch (as a string or number). */
  timestamp: string | number;
  nonce: string;
}

/** The safe-mode reply envelope. */
export function buildEncryptedReply(envelope: EncryptedEnvelope): string {
  return (
    '<xml>' +
    `<Encrypt>${cdata(envelope.encrypt)}</Encrypt>` +
    `<MsgSignature>${cdata(envelope.msgSignature)}</MsgSignature>` +
    `<TimeStamp>${String(envelope.timestamp)}</TimeStamp>` +
    `<Nonce>${cdata(envelope.nonce)}</Nonce>` +
    '</xml>'
  );
}
