/**
 * WeChat message encryption (safe and compatible mode), hand-written on node:crypto.
 *
 * - AESKey = base64decode(EncodingAESKey + "=") → 32 bytes; AES-256-CBC; IV = AESKey[0..16).
 * - PKCS#7 padding with block size 32 (pad byte 1..32); the cipher's own padding is off.
 * - Plaintext = random(16) ‖ uint32BE(len(msg)) ‖ msg (UTF-8) ‖ appid.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const PKCS7_BLOCK_SIZE = 32;
const RANDOM_LENGTH = 16;
const LENGTH_FIELD = 4;

// ---------------------------------------------------------------------------
// Configuration validators
// ---------------------------------------------------------------------------

/** Raised for invalid configuration values; the message never contains the secret itself. */
export class WechatConfigError extends Error {
  override readonly name = 'WechatConfigError';
}

function describeProblem(value: string, expected: string, lengthOk: (n: number) => boolean): string | undefined {
  const length = [...value].length;
  if (value.trim() !== value) return `首尾含有空白字符，共 ${length} 个字符`;
  if (!lengthOk(length)) return `现在是 ${length} 位`;
  const bad = [...value].findIndex((ch) => !/^[A-Za-z0-9]$/.test(ch));
  if (bad >= 0) return `第 ${bad + 1} 位不是${expected}`;
  return undefined;
}

/** Describe what is wrong with an EncodingAESKey, or undefined when it is valid. */
export function encodingAESKeyProblem(value: string): string | undefined {
  return describeProblem(value, '字母或数字', (n) => n === 43);
}

/** Describe what is wrong with a Token, or undefined when it is valid. */
export function tokenProblem(value: string): string | undefined {
  return describeProblem(value, '字母或数字', (n) => n >= 3 && n <= 32);
}

/**
 * Throws WechatConfigError unless `value` is 43 characters of [A-Za-z0-9], e.g.
 * "WECHAT_ENCODING_AES_KEY 必须是 43 位字母或数字（现在是 42 位）".
 */
export function validateEncodingAESKey(value: string, name = 'WECHAT_ENCODING_AES_KEY'): void {
  if (typeof value !== 'string' || value === '') {
    throw new WechatConfigError(`${name} 必须是 43 位字母或数字（现在为空）`);
  }
  const problem = encodingAESKeyProblem(value);
  if (problem) throw new WechatConfigError(`${name} 必须是 43 位字母或数字（${problem}）`);
}

/** Throws WechatConfigError unless `value` is 3-32 characters of [A-Za-z0-9]. */
export function validateToken(value: string, name = 'WECHAT_TOKEN'): void {
  if (typeof value !== 'string' || value === '') {
    throw new WechatConfigError(`${name} 必须是 3-32 位字母或数字（现在为空）`);
  }
  const problem = tokenProblem(value);
  if (problem) throw new WechatConfigError(`${name} 必须是 3-32 位字母或数字（${problem}）`);
}

/** Throws WechatConfigError unless `value` looks like an appid (non-empty, printable ASCII, no spaces). */
export function validateAppId(value: string | undefined, name = 'WECHAT_APPID'): asserts value is string {
  if (typeof value !== 'string' || value === '') {
    throw new WechatConfigError(`${name} 在安全模式下是必填项（现在为空）`);
  }
  if (!/^[\x21-\x7e]{1,64}$/.test(value)) {
    throw new WechatConfigError(`${name} 必须是 1-64 位可见 ASCII 字符（现在是 ${value.length} 位或含有不允许的字符）`);
  }
}

// ---------------------------------------------------------------------------
// Low-level primitives
// ---------------------------------------------------------------------------

/** AESKey = base64decode(EncodingAESKey + "="). Validates the EncodingAESKey first. */
export function aesKeyFromEncodingAESKey(encodingAESKey: string, name?: string): Buffer {
  validateEncodingAESKey(encodingAESKey, name);
  const key = Buffer.from(encodingAESKey + '=', 'base64');
  if (key.length !== 32) {
    // Cannot happen for 43 chars of [A-Za-z0-9], kept as a guard.
    throw new WechatConfigError(`${name ?? 'WECHAT_ENCODING_AES_KEY'} 解码后不是 32 字节`);
  }
  return key;
}

export function pkcs7Pad(data: Buffer, blockSize = PKCS7_BLOCK_SIZE): Buffer {
  const amount = blockSize - (data.length % blockSize);
  return Buffer.concat([data, Buffer.alloc(amount, amount)]);
}

/** Returns the unpadded data, or undefined when the padding is not valid PKCS#7 (block size 32). */
export function pkcs7Unpad(data: Buffer, blockSize = PKCS7_BLOCK_SIZE): Buffer | undefined {
  if (data.length === 0) return undefined;
  const pad = data[data.length - 1]!;
  if (pad < 1 || pad > blockSize || pad > data.length) return undefined;
  for (let i = data.length - pad; i < data.length; i++) {
    if (data[i] !== pad) return undefined;
  }
  return data.subarray(0, data.length - pad);
}

export type DecryptFailure = 'bad-base64' | 'bad-length' | 'bad-padding' | 'bad-structure' | 'bad-utf8' | 'wrong-appid';

/** Decryption failed; `code` says why (safe to log: it contains no plaintext or key). */
export class DecryptError extends Error {
  override readonly name = 'DecryptError';
  constructor(readonly code: DecryptFailure, message?: string) {
    super(message ?? `decrypt failed: ${code}`);
  }
}

export interface DecryptedPayload {
  random: Buffer;
  message: string;
  appId: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decrypt one Encrypt value with a raw 32-byte AES key. Does not check the appid. */
export function decryptWithKey(encrypted: string, aesKey: Buffer): DecryptedPayload {
  if (encrypted.length === 0 || encrypted.length % 4 !== 0 || !BASE64.test(encrypted)) {
    throw new DecryptError('bad-base64');
  }
  const cipherText = Buffer.from(encrypted, 'base64');
  if (cipherText.length === 0 || cipherText.length % 16 !== 0) throw new DecryptError('bad-length');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  } catch {
    throw new DecryptError('bad-length');
  }
  const unpadded = pkcs7Unpad(plain);
  if (!unpadded) throw new DecryptError('bad-padding');
  if (unpadded.length < RANDOM_LENGTH + LENGTH_FIELD) throw new DecryptError('bad-structure');
  const msgLength = unpadded.readUInt32BE(RANDOM_LENGTH);
  const msgStart = RANDOM_LENGTH + LENGTH_FIELD;
  if (msgLength > unpadded.length - msgStart) throw new DecryptError('bad-structure');
  let message: string;
  let appId: string;
  try {
    message = utf8.decode(unpadded.subarray(msgStart, msgStart + msgLength));
    appId = utf8.decode(unpadded.subarray(msgStart + msgLength));
  } catch {
    throw new DecryptError('bad-utf8');
  }
  return { random: Buffer.from(unpadded.subarray(0, RANDOM_LENGTH)), message, appId };
}

function toRandom(random: Buffer | string | undefined): Buffer {
  if (random === undefined) return randomBytes(RANDOM_LENGTH);
  const buf = typeof random === 'string' ? Buffer.from(random, 'utf8') : random;
  if (buf.length !== RANDOM_LENGTH) throw new RangeError(`random must be ${RANDOM_LENGTH} bytes, got ${buf.length}`);
  return buf;
}

/** Encrypt a message with a raw 32-byte AES key. `random` (16 bytes) defaults to crypto randomness. */
export function encryptWithKey(message: string, aesKey: Buffer, appId: string, random?: Buffer | string): string {
  const msg = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(LENGTH_FIELD);
  length.writeUInt32BE(msg.length, 0);
  const plain = pkcs7Pad(Buffer.concat([toRandom(random), length, msg, Buffer.from(appId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

// ---------------------------------------------------------------------------
// The account-level helper
// ---------------------------------------------------------------------------

export interface WechatCryptoOptions {
  encodingAESKey: string;
  appId: string;
  /** The EncodingAESKey in use before the last rotation; tried when the current one fails. */
  previousEncodingAESKey?: string;
}

export interface DecryptResult extends DecryptedPayload {
  /** Which key decrypted the message. */
  key: 'current' | 'previous';
}

export class WechatCrypto {
  readonly appId: string;
  readonly #key: Buffer;
  readonly #previousKey: Buffer | undefined;

  constructor(options: WechatCryptoOptions) {
    this.#key = aesKeyFromEncodingAESKey(options.encodingAESKey, 'WECHAT_ENCODING_AES_KEY');
    this.#previousKey =
      options.previousEncodingAESKey === undefined || options.previousEncodingAESKey === ''
        ? undefined
        : aesKeyFromEncodingAESKey(options.previousEncodingAESKey, 'WECHAT_PREVIOUS_ENCODING_AES_KEY');
    validateAppId(options.appId);
    this.appId = options.appId;
  }

  /**
   * Decrypt an Encrypt value and check that the trailing appid is ours. The current key is tried
   * first, then the previous one. Throws DecryptError; 'wrong-appid' wins over other failures
   * because it means the ciphertext was well-formed but meant for another account.
   */
  decrypt(encrypted: string): DecryptResult {
    const attempts: Array<['current' | 'previous', Buffer]> = [['current', this.#key]];
    if (this.#previousKey) attempts.push(['previous', this.#previousKey]);
    let failure: DecryptError | undefined;
    for (const [which, key] of attempts) {
      try {
        const payload = decryptWithKey(encrypted, key);
        if (payload.appId !== this.appId) throw new DecryptError('wrong-appid');
        return { ...payload, key: which };
      } catch (err) {
        const e = err instanceof DecryptError ? err : new DecryptError('bad-structure');
        if (!failure || e.code === 'wrong-appid') failure = e;
      }
    }
    throw failure ?? new DecryptError('bad-structure');
  }

  /** Encrypt a reply with the current key (never the previous one). */
  encrypt(message: string, random?: Buffer | string): string {
    return encryptWithKey(message, this.#key, this.appId, random);
  }
}
