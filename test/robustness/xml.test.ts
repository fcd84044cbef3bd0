// Issue 6.3: the official-account webhook reads bodies from the internet. test/channels/official-
// account fuzzes the webhook with flat random strings and round-trips the crypto against
// wechat-crypto for any key and message; this file adds structured hostile XML (CDATA, entities,
// DOCTYPE, deep nesting, huge attributes) straight at the reader, and garbage at the decrypter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_XML_BYTES,
  XmlError,
  buildTextReply,
  parseIncomingMessage,
  parseXmlFields,
  stripInvalidXmlChars,
} from '../../src/channels/official-account/xml.ts';
import { DecryptError, WechatCrypto } from '../../src/channels/official-account/crypto.ts';
import { hostileText } from './helpers/strings.ts';

const CODES = ['too-large', 'doctype', 'malformed'];

/** Runs `f`; anything thrown must be the reader's own XmlError with a known code. */
function refusedOrRead<T>(f: () => T): T | XmlError {
  try {
    return f();
  } catch (error) {
    expect(error).toBeInstanceOf(XmlError);
    expect(CODES).toContain((error as XmlError).code);
    return error as XmlError;
  }
}

const tagName = fc.oneof(
  fc.constantFrom('xml', 'ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Content', 'MsgId', 'Event', 'EventKey',
    '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '#text', 'a:b', 'x-y', '_', 'A1', '1a', ''),
  fc.string({ unit: fc.constantFrom(...'abcXYZ_-.:0'), minLength: 1, maxLength: 6 }),
);
const entity = fc.constantFrom('&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#65;', '&#x41;', '&#0;', '&#xD800;', '&#x110000;',
  '&bogus;', '&', '&#;', '&lol9;', '&xxe;', '&#99999999999;');
const declaration = fc.constantFrom(
  '<!DOCTYPE xml>', '<!doctype xml [<!ENTITY a "b">]>', '<! DOCTYPE x>', '<!DoCtYpE x SYSTEM "file:///etc/passwd">',
  '<!ENTITY xxe SYSTEM "file:///etc/passwd">', '<!ENTITY % p "x">', '<?xml version="1.0" encoding="UTF-8"?>',
  '<?xml-stylesheet href="x"?>', '<!-- comment -->', '<!-- -- -->', '<![CDATA[', ']]>', '<!ELEMENT a ANY>', '<!ATTLIST a b CDATA #IMPLIED>',
);
const text = fc.oneof(hostileText(12), entity, fc.constantFrom('<', '>', ']]>', '"', "'", '\u0000', '\uFFFE'));
const cdataSection = text.map((t) => `<![CDATA[${t}]]>`);
const attribute = fc.tuple(tagName, fc.oneof(text, fc.integer({ min: 1, max: 70_000 }).map((n) => 'x'.repeat(n)))).map(
  ([name, value]) => ` ${name}="${value.replaceAll('"', '&quot;')}"`,
);

/** XML-ish trees: mostly well-nested, with the pieces that break readers sprinkled in. */
const { node } = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    cdataSection,
    entity,
    declaration,
    fc.tuple(tagName, fc.array(attribute, { maxLength: 2 }), fc.array(tie('node'), { maxLength: 4 }), fc.boolean()).map(
      ([name, attrs, children, close]) => `<${name}${attrs.join('')}>${children.join('')}${close ? `</${name}>` : ''}`,
    ),
    tagName.map((name) => `<${name}/>`),
  ),
}));

const nested = fc.tuple(fc.integer({ min: 1, max: 40 }), tagName, text).map(
  ([depth, name, inner]) => `<xml>${`<${name}>`.repeat(depth)}${inner}${`</${name}>`.repeat(depth)}</xml>`,
);

const body = fc.oneof(
  node.map((n) => `<xml>${n}</xml>`),
  fc.array(node, { maxLength: 5 }).map((ns) => ns.join('')),
  fc.tuple(declaration, node).map(([d, n]) => `${d}<xml>${n}</xml>`),
  nested,
  fc.string({ unit: 'binary', maxLength: 300 }),
);

describe('parseXmlFields on hostile bodies', () => {
  it('reads plain string fields into a null-prototype object, or refuses with an XmlError', () => {
    fc.assert(
      fc.property(body, (b) => {
        const out = refusedOrRead(() => parseXmlFields(b));
        if (out instanceof XmlError) {
          if (Buffer.byteLength(b) > MAX_XML_BYTES) expect(out.code).toBe('too-large');
          return;
        }
        expect(Object.getPrototypeOf(out)).toBeNull();
        for (const [key, value] of Object.entries(out)) {
          expect(key).not.toBe('#text');
          expect(typeof value).toBe('string');
        }
        // Nothing leaked into Object.prototype through a __proto__ element.
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 800 },
    );
  }, 60_000);

  it('always refuses a DOCTYPE or ENTITY declaration outside CDATA, wherever it is between the nodes', () => {
    const decl = fc.constantFrom('<!DOCTYPE x>', '<!doctype x [<!ENTITY a "b">]>', '<!  ENTITY b "c">', '<!\nDOCTYPE x>', '<!ELEMENT a ANY>');
    fc.assert(
      fc.property(fc.array(node, { maxLength: 4 }), decl, fc.nat(), (ns, d, at) => {
        const k = at % (ns.length + 2);
        // k = 0: before <xml>; otherwise after <xml> and k − 1 nodes. Nothing before it may open a
        // section in which the declaration would be text.
        const before = ns.slice(0, Math.max(0, k - 1)).join('');
        fc.pre(!/<!\[CDATA\[|<!--|<\?/.test(before));
        const withDecl = k === 0 ? `${d}<xml>${ns.join('')}</xml>` : `<xml>${before}${d}${ns.slice(k - 1).join('')}</xml>`;
        const out = refusedOrRead(() => parseXmlFields(withDecl));
        expect(out).toBeInstanceOf(XmlError);
        // Size is checked first, so a huge body is refused as such before it is looked at.
        expect((out as XmlError).code).toBe(Buffer.byteLength(withDecl) > MAX_XML_BYTES ? 'too-large' : 'doctype');
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('reads a declaration inside CDATA as the text it is', () => {
    const decl = fc.constantFrom('<!DOCTYPE x>', '<!doctype x [<!ENTITY a "b">]>', '<!ENTITY xxe SYSTEM "file:///etc/passwd">');
    fc.assert(
      fc.property(hostileText(12), decl, hostileText(12), (a, d, b) => {
        fc.pre(!`${a}${b}`.includes(']]>'));
        const body = `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><Content><![CDATA[${a}${d}${b}]]></Content></xml>`;
        const out = refusedOrRead(() => parseXmlFields(body));
        if (out instanceof XmlError) expect(out.code).not.toBe('doctype');
        else expect(out['Content']).toContain(d);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses deep nesting and huge attributes without trouble', () => {
    const deep = `<xml>${'<a>'.repeat(5000)}x${'</a>'.repeat(5000)}</xml>`;
    expect(refusedOrRead(() => parseXmlFields(deep))).toBeInstanceOf(XmlError);
    const big = `<xml><Content a="${'x'.repeat(MAX_XML_BYTES)}">1</Content></xml>`;
    expect((refusedOrRead(() => parseXmlFields(big)) as XmlError).code).toBe('too-large');
    const unclosed = `<xml>${'<a b="'.repeat(10_000)}`;
    expect(refusedOrRead(() => parseXmlFields(unclosed))).toBeInstanceOf(XmlError);
  }, 60_000);

  it('parseIncomingMessage throws nothing but XmlError either', () => {
    const field = fc.tuple(tagName, fc.oneof(text, cdataSection)).map(([name, v]) => `<${name}>${v}</${name}>`);
    const message = fc.array(
      fc.oneof(field, fc.constantFrom('<ToUserName>gh_1</ToUserName>', '<FromUserName>oUser</FromUserName>',
        '<CreateTime>1700000000</CreateTime>', '<MsgType>text</MsgType>', '<MsgId>1</MsgId>', '<MsgType><![CDATA[event]]></MsgType>')),
      { maxLength: 8 },
    ).map((fs) => `<xml>${fs.join('')}</xml>`);
    fc.assert(
      fc.property(fc.oneof(message, body), (b) => {
        const out = refusedOrRead(() => parseIncomingMessage(b));
        if (out instanceof XmlError) return;
        expect(typeof out.fromUserName).toBe('string');
        expect(typeof out.msgType).toBe('string');
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('reads back any content our own reply builder wrote (CDATA, ]]>, entities, emoji)', () => {
    fc.assert(
      fc.property(fc.oneof(text, hostileText(60)), (content) => {
        const xml = buildTextReply({ toUser: 'oUser', fromUser: 'gh_1', createTime: 1, content });
        const out = refusedOrRead(() => parseXmlFields(xml));
        if (Buffer.byteLength(xml) > MAX_XML_BYTES) return;
        expect(out).not.toBeInstanceOf(XmlError);
        // XML itself turns CR LF and lone CR into LF (XML 1.0 §2.11); nothing else may change.
        expect((out as Record<string, string>)['Content']).toBe(stripInvalidXmlChars(content).replace(/\r\n?/g, '\n'));
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('decrypting garbage', () => {
  const crypto = new WechatCrypto({ encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', appId: 'wx1234567890abcdef' });
  const base64 = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='), maxLength: 200 });

  it('throws only DecryptError for any Encrypt value', () => {
    fc.assert(
      fc.property(fc.oneof(base64, hostileText(40), fc.uint8Array({ maxLength: 160 }).map((b) => Buffer.from(b).toString('base64'))), (enc) => {
        try {
          crypto.decrypt(enc);
        } catch (error) {
          expect(error).toBeInstanceOf(DecryptError);
        }
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('a tampered ciphertext is refused with DecryptError or decrypts to some message, never crashes', () => {
    fc.assert(
      fc.property(hostileText(30), fc.nat(), fc.integer({ min: 1, max: 255 }), (message, at, flip) => {
        const bytes = Buffer.from(crypto.encrypt(message), 'base64');
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ flip;
        try {
          const out = crypto.decrypt(bytes.toString('base64'));
          expect(typeof out.message).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(DecryptError);
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
