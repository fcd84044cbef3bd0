import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecryptError,
  WechatConfigError,
  WechatCrypto,
  aesKeyFromEncodingAESKey,
  decryptWithKey,
  encryptWithKey,
  pkcs7Pad,
  pkcs7Unpad,
  validateEncodingAESKey,
  validateToken,
} from '../../../src/channels/official-account/crypto.ts';
import { parseIncomingMessage } from '../../../src/channels/official-account/xml.ts';
import { WXBizMsgCrypt } from '../../fixtures/official-account/helpers.ts';
import { A, B, C } from '../../fixtures/official-account/vectors.ts';

const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
const encodingKey = fc.string({ unit: alnum, minLength: 43, maxLength: 43 });
const appId = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 16 }).map((s) => `wx${s}`);
const message = fc.oneof(
  fc.constantFrom('', 'hello', '你好，世界', '😀👍🏽 emoji', '<xml><Content><![CDATA[申请公开]]></Content></xml>', 'x'.repeat(31), 'y'.repeat(32)),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }).map((s) => s.replace(/[\uD800-\uDFFF]/g, '')),
);

describe('golden vectors', () => {
  it('A: decrypts the safe-mode message (random, length, appid)', () => {
    const crypto = new WechatCrypto({ encodingAESKey: A.safe.encodingAESKey, appId: A.safe.appId });
    const out = crypto.decrypt(A.safe.encrypt);
    expect(out.random.toString('utf8')).toBe(A.safe.random);
    expect(Buffer.byteLength(out.message, 'utf8')).toBe(A.safe.msgLength);
    expect(out.appId).toBe(A.safe.appId);
    expect(out.key).toBe('current');
    expect(JSON.parse(out.message)).toMatchObject({ ToUserName: 'gh_97417a04a28d', MsgType: 'event' });
  });

  it('A: encrypts the reply with the given random to the given Encrypt', () => {
    const crypto = new WechatCrypto({ encodingAESKey: A.safe.encodingAESKey, appId: A.safe.appId });
    expect(crypto.encrypt(A.reply.msg, A.reply.random)).toBe(A.reply.encrypt);
    expect(crypto.encrypt(A.reply.msg, Buffer.from(A.reply.random))).toBe(A.reply.encrypt);
    expect(crypto.decrypt(A.reply.encrypt).message).toBe(A.reply.msg);
  });

  it('B: decrypts to a text message with Content hello and MsgId 12345', () => {
    const crypto = new WechatCrypto({ encodingAESKey: B.encodingAESKey, appId: B.appId });
    const out = crypto.decrypt(B.encrypt);
    const msg = parseIncomingMessage(out.message);
    expect(msg.msgType).toBe('text');
    expect(msg.content).toBe(B.content);
    expect(msg.msgId).toBe(B.msgId);
  });

  it('C: decrypts the encrypted echostr', () => {
    const crypto = new WechatCrypto({ encodingAESKey: C.encodingAESKey, appId: C.appId });
    expect(crypto.decrypt(C.echostr).message).toBe(C.decrypted);
  });
});

describe('appid check and malformed ciphertexts', () => {
  it('rejects a ciphertext made for another appid', () => {
    const crypto = new WechatCrypto({ encodingAESKey: B.encodingAESKey, appId: 'wx0000000000000000' });
    expect(() => crypto.decrypt(B.encrypt)).toThrowError(expect.objectContaining({ code: 'wrong-appid' }));
  });

  it('rejects garbage, truncation, bad base64 and a wrong key', () => {
    const crypto = new WechatCrypto({ encodingAESKey: B.encodingAESKey, appId: B.appId });
    const code = (enc: string): string => {
      try {
        crypto.decrypt(enc);
        return 'ok';
      } catch (e) {
        expect(e).toBeInstanceOf(DecryptError);
        return (e as DecryptError).code;
      }
    };
    expect(code('')).toBe('bad-base64');
    expect(code('not base64!')).toBe('bad-base64');
    expect(code('AAAA')).toBe('bad-length');
    expect(code(B.encrypt.slice(0, -4))).not.toBe('ok');
    const other = new WechatCrypto({ encodingAESKey: 'Z'.repeat(43), appId: B.appId });
    expect(() => other.decrypt(B.encrypt)).toThrow(DecryptError);
  });

  it('refuses a length field longer than the plaintext', () => {
    const key = aesKeyFromEncodingAESKey(B.encodingAESKey);
    const enc = encryptWithKey('hello', key, B.appId);
    // forge: same structure but length field 0xffffffff
    const plain = Buffer.concat([Buffer.alloc(16, 1), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from('hi')]);
    const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    c.setAutoPadding(false);
    const forged = Buffer.concat([c.update(pkcs7Pad(plain)), c.final()]).toString('base64');
    expect(() => decryptWithKey(forged, key)).toThrowError(expect.objectContaining({ code: 'bad-structure' }));
    expect(decryptWithKey(enc, key).message).toBe('hello');
  });
});

describe('PKCS#7 with block size 32', () => {
  it('pads 1..32 bytes and unpads back', () => {
    for (let n = 0; n < 70; n++) {
      const data = Buffer.alloc(n, 7);
      const padded = pkcs7Pad(data);
      expect(padded.length % 32).toBe(0);
      const pad = padded.length - n;
      expect(pad).toBeGreaterThanOrEqual(1);
      expect(pad).toBeLessThanOrEqual(32);
      expect(pkcs7Unpad(padded)).toEqual(data);
    }
  });
  it('rejects invalid padding', () => {
    expect(pkcs7Unpad(Buffer.alloc(32, 0))).toBeUndefined();
    expect(pkcs7Unpad(Buffer.alloc(32, 33))).toBeUndefined();
    const bad = Buffer.alloc(32, 4);
    bad[29] = 3;
    expect(pkcs7Unpad(bad)).toBeUndefined();
    expect(pkcs7Unpad(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('round trips against wechat-crypto', () => {
  it('wechat-crypto encrypts → we decrypt', () => {
    fc.assert(
      fc.property(encodingKey, appId, message, (key, id, msg) => {
        const ref = new WXBizMsgCrypt('token123', key, id);
        const ours = new WechatCrypto({ encodingAESKey: key, appId: id });
        const out = ours.decrypt(ref.encrypt(msg));
        expect(out.message).toBe(msg);
        expect(out.appId).toBe(id);
      }),
      { numRuns: 300 },
    );
  });

  it('we encrypt → wechat-crypto decrypts', () => {
    fc.assert(
      fc.property(encodingKey, appId, message, fc.uint8Array({ minLength: 16, maxLength: 16 }), (key, id, msg, rnd) => {
        const ref = new WXBizMsgCrypt('token123', key, id);
        const ours = new WechatCrypto({ encodingAESKey: key, appId: id });
        const enc = ours.encrypt(msg, Buffer.from(rnd));
        expect(ref.decrypt(enc)).toEqual({ message: msg, id });
        expect(ours.decrypt(enc).random).toEqual(Buffer.from(rnd));
      }),
      { numRuns: 300 },
    );
  });

  it('random encryption differs each time but always decrypts', () => {
    const ours = new WechatCrypto({ encodingAESKey: B.encodingAESKey, appId: B.appId });
    const a = ours.encrypt('same');
    const b = ours.encrypt('same');
    expect(a).not.toBe(b);
    expect(ours.decrypt(a).message).toBe('same');
    expect(() => ours.encrypt('x', 'short')).toThrow(RangeError);
  });
});

describe('key rotation', () => {
  it('falls back to the previous key, and encrypts with the current one', () => {
    const oldKey = 'o'.repeat(43);
    const newKey = 'n'.repeat(43);
    const ours = new WechatCrypto({ encodingAESKey: newKey, previousEncodingAESKey: oldKey, appId: B.appId });
    const fromOld = new WXBizMsgCrypt('token123', oldKey, B.appId).encrypt('<xml>old</xml>');
    const fromNew = new WXBizMsgCrypt('token123', newKey, B.appId).encrypt('<xml>new</xml>');
    expect(ours.decrypt(fromOld)).toMatchObject({ message: '<xml>old</xml>', key: 'previous' });
    expect(ours.decrypt(fromNew)).toMatchObject({ message: '<xml>new</xml>', key: 'current' });
    expect(new WXBizMsgCrypt('token123', newKey, B.appId).decrypt(ours.encrypt('reply')).message).toBe('reply');
    const noFallback = new WechatCrypto({ encodingAESKey: newKey, appId: B.appId });
    expect(() => noFallback.decrypt(fromOld)).toThrow(DecryptError);
  });

  it('reports wrong-appid even when the previous key also fails', () => {
    const ours = new WechatCrypto({ encodingAESKey: B.encodingAESKey, previousEncodingAESKey: 'p'.repeat(43), appId: 'wxother' });
    expect(() => ours.decrypt(B.encrypt)).toThrowError(expect.objectContaining({ code: 'wrong-appid' }));
  });
});

describe('configuration validators', () => {
  it('EncodingAESKey: 43 letters or digits, message names the problem but not the secret', () => {
    expect(() => validateEncodingAESKey(B.encodingAESKey)).not.toThrow();
    const secret42 = B.encodingAESKey.slice(0, 42);
    expect(() => validateEncodingAESKey(secret42)).toThrow('WECHAT_ENCODING_AES_KEY 必须是 43 位字母或数字（现在是 42 位）');
    try {
      validateEncodingAESKey(secret42);
    } catch (e) {
      expect(e).toBeInstanceOf(WechatConfigError);
      expect((e as Error).message).not.toContain(secret42);
    }
    expect(() => validateEncodingAESKey(B.encodingAESKey.slice(0, 42) + '+')).toThrow('第 43 位不是字母或数字');
    expect(() => validateEncodingAESKey(` ${B.encodingAESKey.slice(1)}`)).toThrow('首尾含有空白字符');
    expect(() => validateEncodingAESKey('')).toThrow('现在为空');
    expect(() => validateEncodingAESKey('x'.repeat(42), 'MY_KEY')).toThrow(/^MY_KEY /);
  });

  it('Token: 3-32 letters or digits', () => {
    expect(() => validateToken('abc')).not.toThrow();
    expect(() => validateToken('a'.repeat(32))).not.toThrow();
    expect(() => validateToken('ab')).toThrow('WECHAT_TOKEN 必须是 3-32 位字母或数字（现在是 2 位）');
    expect(() => validateToken('a'.repeat(33))).toThrow('现在是 33 位');
    expect(() => validateToken('abc_def')).toThrow('第 4 位不是字母或数字');
    expect(() => validateToken('')).toThrow('现在为空');
  });

  it('WechatCrypto requires an appid', () => {
    expect(() => new WechatCrypto({ encodingAESKey: B.encodingAESKey, appId: '' })).toThrow(WechatConfigError);
    expect(() => new WechatCrypto({ encodingAESKey: B.encodingAESKey, appId: B.appId, previousEncodingAESKey: 'short' })).toThrow(
      'WECHAT_PREVIOUS_ENCODING_AES_KEY 必须是 43 位字母或数字（现在是 5 位）',
    );
  });
});
