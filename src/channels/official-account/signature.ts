/**
 * WeChat official-account signatures.
 *
 * - URL/POST signature: sha1(sort([token, timestamp, nonce]).join(''))
 * - Safe-mode msg_signature: sha1(sort([token, timestamp, nonce, Encrypt]).join(''))
 *
 * The sort is a plain lexicographic (UTF-16 code unit) sort, as in WeChat's samples.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** sha1 hex (lowercase) of the lexicographically sorted parts joined without separator. */
export function sha1Signature(parts: readonly string[]): string {
  const sorted = [...parts].sort();
  return createHash('sha1').update(sorted.join(''), 'utf8').digest('hex');
}

/**
 * Constant-time comparison of two signature strings. Different lengths are unequal
 * (timingSafeEqual needs equal-length buffers; a length mismatch leaks nothing secret).
 */
export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  if (a.length !== b.length) {
    // Still spend a comparison so both branches cost about the same.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/**
 * Verify the plain `signature` query parameter (GET URL verification and every POST).
 * Missing or empty values never verify.
 */
export function verifySignature(
  token: string,
  timestamp: string | undefined,
  nonce: string | undefined,
  signature: string | undefined,
): boolean {
  if (!timestamp || !nonce || !signature) return false;
  return signaturesEqual(sha1Signature([token, timestamp, nonce]), signature);
}

/** Verify a safe-mode `msg_signature` over [token, timestamp, nonce, encrypted]. */
export function verifyMsgSignature(
  token: string,
  timestamp: string | undefined,
  nonce: string | undefined,
  encrypted: string | undefined,
  msgSignature: string | undefined,
): boolean {
  if (!timestamp || !nonce || !encrypted || !msgSignature) return false;
  return signaturesEqual(sha1Signature([token, timestamp, nonce, encrypted]), msgSignature);
}
