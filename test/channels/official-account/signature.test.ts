import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  sha1Signature,
  signaturesEqual,
  verifyMsgSignature,
  verifySignature,
} from '../../../src/channels/official-account/signature.ts';
import { WXBizMsgCrypt } from '../../fixtures/official-account/helpers.ts';
import { A, B, C, D } from '../../fixtures/official-account/vectors.ts';

describe('sha1Signature: golden vectors', () => {
  it('D: token test', () => {
    expect(sha1Signature([D.token, D.timestamp, D.nonce])).toBe(D.signature);
  });
  it('A: GET, plain POST and safe-mode signatures', () => {
    expect(sha1Signature([A.token, A.get.timestamp, A.get.nonce])).toBe(A.get.signature);
    expect(sha1Signature([A.token, A.plainPost.timestamp, A.plainPost.nonce])).toBe(A.plainPost.signature);
    expect(sha1Signature([A.token, A.safe.timestamp, A.safe.nonce])).toBe(A.safe.signature);
    expect(sha1Signature([A.token, A.safe.timestamp, A.safe.nonce, A.safe.encrypt])).toBe(A.safe.msgSignature);
    expect(sha1Signature([A.token, A.reply.timestamp, A.reply.nonce, A.reply.encrypt])).toBe(A.reply.msgSignature);
  });
  it('B and C: msg_signature form', () => {
    expect(sha1Signature([B.token, B.timestamp, B.nonce, B.encrypt])).toBe(B.msgSignature);
    expect(sha1Signature([C.token, C.timestamp, C.nonce, C.echostr])).toBe(C.msgSignature);
  });
  it('sorts without mutating its input', () => {
    const parts = ['b', 'a', 'c'];
    sha1Signature(parts);
    expect(parts).toEqual(['b', 'a', 'c']);
  });
});

describe('verifySignature / verifyMsgSignature', () => {
  it('accepts the vectors and rejects any change', () => {
    expect(verifySignature(D.token, D.timestamp, D.nonce, D.signature)).toBe(true);
    expect(verifySignature(D.token, D.timestamp, D.nonce, D.signature.toUpperCase())).toBe(true);
    expect(verifySignature(D.token, D.timestamp, D.nonce, D.signature.slice(0, -1) + '0')).toBe(false);
    expect(verifySignature(D.token, '1410685590', D.nonce, D.signature)).toBe(false);
    expect(verifySignature('test2', D.timestamp, D.nonce, D.signature)).toBe(false);
    expect(verifyMsgSignature(B.token, B.timestamp, B.nonce, B.encrypt, B.msgSignature)).toBe(true);
    expect(verifyMsgSignature(B.token, B.timestamp, B.nonce, B.encrypt + 'x', B.msgSignature)).toBe(false);
  });
  it('rejects missing parts and signatures of the wrong length', () => {
    expect(verifySignature(D.token, undefined, D.nonce, D.signature)).toBe(false);
    expect(verifySignature(D.token, D.timestamp, '', D.signature)).toBe(false);
    expect(verifySignature(D.token, D.timestamp, D.nonce, undefined)).toBe(false);
    expect(verifySignature(D.token, D.timestamp, D.nonce, D.signature.slice(0, 20))).toBe(false);
    expect(verifySignature(D.token, D.timestamp, D.nonce, D.signature + '00')).toBe(false);
    expect(verifyMsgSignature(B.token, B.timestamp, B.nonce, undefined, B.msgSignature)).toBe(false);
    expect(signaturesEqual('abc', 'ab')).toBe(false);
  });
});

describe('msg signatures agree with wechat-crypto', () => {
  const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  const key = fc.string({ unit: alnum, minLength: 43, maxLength: 43 });
  const token = fc.string({ unit: alnum, minLength: 3, maxLength: 32 });
  const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 12 });
  const base64 = fc.base64String({ minLength: 4, maxLength: 200 });

  it('for random tokens, timestamps, nonces and ciphertexts', () => {
    fc.assert(
      fc.property(token, key, digits, digits, base64, (tok, k, ts, nonce, enc) => {
        const ref = new WXBizMsgCrypt(tok, k, 'wx0123456789abcdef');
        const expected = ref.getSignature(ts, nonce, enc);
        expect(sha1Signature([tok, ts, nonce, enc])).toBe(expected);
        expect(verifyMsgSignature(tok, ts, nonce, enc, expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
