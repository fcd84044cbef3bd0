import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_XML_BYTES,
  XmlError,
  buildEncryptedReply,
  buildTextReply,
  cdata,
  stripInvalidXmlChars,
  parseIncomingMessage,
  parseXmlFields,
  truncateUtf8,
} from '../../../src/channels/official-account/xml.ts';
import { fixture, messageXml, parseReply } from '../../fixtures/official-account/helpers.ts';

const codeOf = (body: string): string => {
  try {
    parseXmlFields(body);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(XmlError);
    return (e as XmlError).code;
  }
};

describe('parseXmlFields', () => {
  it('reads a WeChat text message, all values as strings, MsgId exact (64-bit)', () => {
    const msg = parseIncomingMessage(messageXml({ content: '你好', msgId: '9223372036854775807' }));
    expect(msg).toEqual({
      toUserName: 'gh_account',
      fromUserName: 'oUser123',
      createTime: '1714037059',
      msgType: 'text',
      content: '你好',
      msgId: '9223372036854775807',
    });
    const fixtureMsg = parseIncomingMessage(fixture('text.xml'));
    expect(fixtureMsg.msgId).toBe('24537749063134539');
    expect(fixtureMsg.content).toBe('怎么申请政府信息公开？');
  });

  it('keeps numeric-looking content as the exact string', () => {
    const msg = parseIncomingMessage(messageXml({ content: '00123', msgId: '1' }));
    expect(msg.content).toBe('00123');
    const fields = parseXmlFields('<xml><A>0x1F</A><B>1e5</B><C> 007 </C></xml>');
    expect({ ...fields }).toEqual({ A: '0x1F', B: '1e5', C: '007' });
  });

  it('accepts an XML declaration and whitespace between elements', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <ToUserName><![CDATA[gh_a]]></ToUserName>\n  <Encrypt><![CDATA[abc=]]></Encrypt>\n</xml>\n`;
    expect({ ...parseXmlFields(body) }).toEqual({ ToUserName: 'gh_a', Encrypt: 'abc=' });
  });

  it('refuses DOCTYPE and ENTITY declarations before parsing (billion laughs, XXE)', () => {
    expect(codeOf(fixture('billion-laughs.xml'))).toBe('doctype');
    expect(codeOf(fixture('xxe.xml'))).toBe('doctype');
    expect(codeOf('<xml><!ENTITY a "b"></xml>')).toBe('doctype');
    expect(codeOf('<!doctype xml><xml></xml>')).toBe('doctype');
    // Hidden behind things that look like CDATA but are not: still a declaration.
    expect(codeOf('<xml><!-- <![CDATA[ --><!DOCTYPE x [<!ENTITY a "b">]><!-- ]]> --></xml>')).toBe('doctype');
    expect(codeOf('<xml><a b="<![CDATA["/><!DOCTYPE x><c d="]]>"/></xml>')).toBe('doctype');
  });

  it('reads "<!DOCTYPE" typed by a resident inside CDATA as text', () => {
    const body = messageXml({ content: '我想问 <!DOCTYPE html> 和 <!ENTITY x "y"> 是什么意思', msgId: '1' });
    expect(parseXmlFields(body)['Content']).toBe('我想问 <!DOCTYPE html> 和 <!ENTITY x "y"> 是什么意思');
  });

  it('refuses bodies over 64 KB before parsing', () => {
    const big = `<xml><Content><![CDATA[${'a'.repeat(MAX_XML_BYTES)}]]></Content></xml>`;
    expect(codeOf(big)).toBe('too-large');
    // counted in bytes: 22,000 Chinese characters are 66,000 bytes
    expect(codeOf(`<xml><C>${'中'.repeat(22_000)}</C></xml>`)).toBe('too-large');
  });

  it('refuses malformed XML and unexpected shapes', () => {
    for (const body of [
      '',
      '   ',
      'garbage',
      '{"ToUserName":"x"}',
      '<xml>',
      '<xml><A>1</B></xml>',
      '<root><A>1</A></root>',
      '<xml><A>1</A></xml><xml></xml>',
      '<xml><Content>1</Content><Content>2</Content></xml>',
      '<xml><__proto__><polluted>1</polluted></__proto__></xml>',
      '<xml><constructor>1</constructor><A>&lt;</xml>',
    ]) {
      expect(codeOf(body), body).toBe('malformed');
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('does not expand entities', () => {
    expect(parseXmlFields('<xml><A>&amp;lt;</A></xml>')['A']).toBe('&amp;lt;');
  });

  it('requires the message fields', () => {
    expect(() => parseIncomingMessage('<xml><MsgType>text</MsgType></xml>')).toThrow(XmlError);
    expect(() => parseIncomingMessage(messageXml({ from: '' }))).toThrow('FromUserName');
    expect(() => parseIncomingMessage(messageXml({ createTime: 'yesterday' }))).toThrow('CreateTime');
    expect(() => parseIncomingMessage(messageXml({ msgId: '12a' }))).toThrow('MsgId');
    expect(() => parseIncomingMessage(messageXml({ from: 'a b<c' }))).toThrow('FromUserName');
  });
});

describe('parseIncomingMessage keeps what it returns, not the request', () => {
  it('holds none of the request body alive through the fields it returns', () => {
    // The store keeps a message's text and sender for days; if those were views into the body,
    // every kept question would keep its whole request (here 20 KB of padding) with it.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const kept: unknown[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2000; i++) {
      const body = messageXml({ content: `第${i}个问题：2019年行政处罚有多少件？`, msgId: String(i), extra: { Padding: 'x'.repeat(20_000) + i } });
      const m = parseIncomingMessage(body);
      kept.push([m.content, m.fromUserName, m.toUserName, m.msgId, m.msgType, m.createTime]);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(kept).toHaveLength(2000);
    // 2,000 bodies of 20 KB would be 40 MB; their fields alone are well under a megabyte.
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });
});

describe('buildTextReply', () => {
  it('matches the documented passive reply', () => {
    expect(buildTextReply({ toUser: 'openid', fromUser: 'gh_account', createTime: 1714037059, content: '你好' })).toBe(
      '<xml><ToUserName><![CDATA[openid]]></ToUserName><FromUserName><![CDATA[gh_account]]></FromUserName>' +
        '<CreateTime>1714037059</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>',
    );
  });

  it('splits ]]> across two CDATA sections', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    const text = 'x]]>y]]]]>z<![CDATA[w]]>';
    const xml = buildTextReply({ toUser: 'u', fromUser: 'g', createTime: 1, content: text });
    expect(parseReply(xml)['Content']).toBe(text);
  });

  it('wraps a long reply the same the first time and when it comes again, whatever it holds', () => {
    const long = '2019年行政处罚 1271 件。'.repeat(8);
    const cases = ['', ...['\u0000', '\u0008', '\u000B', '\u001F', '\uFFFE', '\uFFFF', '\uD800', '\uDC00', '😀', ']]>', '\t\n\r'].map((c) => `${long}${c}${long}`)];
    for (const text of cases) {
      const expected = `<![CDATA[${stripInvalidXmlChars(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
      expect(cdata(text)).toBe(expected);
      expect(cdata(text)).toBe(expected);
      expect(cdata(text.slice(0, 10))).toBe(`<![CDATA[${stripInvalidXmlChars(text.slice(0, 10))}]]>`);
    }
    // More texts than are kept: each still wrapped as it should be.
    for (let i = 0; i < 1_000; i++) expect(cdata(`${long}${i}\u0001`)).toBe(`<![CDATA[${long}${i}]]>`);
  });

  it('round-trips any text through an independent parser', () => {
    const chars = fc.oneof(
      fc.constantFrom(']', ']]', ']]>', '>', '<', '&', '&amp;', '<![CDATA[', '中', '😀', ' ', '\n', '\t', '"', "'"),
      fc.string({ unit: 'grapheme', maxLength: 5 }),
    );
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 40 }), (parts) => {
        const text = `[${parts.join('')}]`; // brackets keep edge whitespace out of the trim question
        const reply = parseReply(buildTextReply({ toUser: 'oUser', fromUser: 'gh_a', createTime: 1714037059, content: text }));
        expect(reply['Content']).toBe(text);
        expect(reply['ToUserName']).toBe('oUser');
        expect(reply['MsgType']).toBe('text');
      }),
      { numRuns: 300 },
    );
  });

  it('drops characters XML cannot carry', () => {
    const xml = buildTextReply({ toUser: 'u', fromUser: 'g', createTime: 1, content: 'a\u0000b\u0007c\uFFFEd\uD800e' });
    expect(parseReply(xml)['Content']).toBe('abcde');
  });
});

describe('buildEncryptedReply', () => {
  it('has Encrypt, MsgSignature, TimeStamp and Nonce', () => {
    const xml = buildEncryptedReply({ encrypt: 'ab+/=', msgSignature: 'f00', timestamp: 1713424427, nonce: '415670741' });
    expect(xml).toBe(
      '<xml><Encrypt><![CDATA[ab+/=]]></Encrypt><MsgSignature><![CDATA[f00]]></MsgSignature>' +
        '<TimeStamp>1713424427</TimeStamp><Nonce><![CDATA[415670741]]></Nonce></xml>',
    );
  });
});

describe('truncateUtf8', () => {
  it('keeps short text and cuts long text on a character boundary', () => {
    expect(truncateUtf8('abc', 10)).toBe('abc');
    const cut = truncateUtf8('中'.repeat(1000), 2000);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(2000);
    expect(cut.endsWith('…')).toBe(true);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 3, max: 300 }), (s, max) => {
        const out = truncateUtf8(s, max);
        expect(Buffer.byteLength(out)).toBeLessThanOrEqual(max);
        if (Buffer.byteLength(s) <= max) expect(out).toBe(s);
        expect(out).not.toMatch(/[\uD800-\uDBFF]$/);
      }),
    );
  });
});
