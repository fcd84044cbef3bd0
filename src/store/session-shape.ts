// What a stored conversation session may hold, checked field by field when sessions are read back
// from disk (or, later, from a shared store). A session of the right overall shape with a wrong
// inner type (years as a string, a detail recipe without terms) made the engine throw on every
// message of that user until the session expired: such a session is dropped instead, the rest kept.
import type { Session } from '../answer/engine.ts';

const isString = (v: unknown): v is string => typeof v === 'string';
const isYear = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1000 && v <= 9999;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayOf = <T>(check: (v: unknown) => v is T, max: number) => (v: unknown): v is T[] =>
  Array.isArray(v) && v.length <= max && v.every(check);

const years = arrayOf(isYear, 64);
const strings = arrayOf(isString, 64);

/** The fields of `Session`, each with its check; a field absent (undefined) is always fine. */
const FIELDS: { [K in keyof Required<Session>]: (v: unknown) => boolean } = {
  entry: isString,
  also: strings,
  before: isString,
  years,
  detail: (v) =>
    isObject(v) && isString(v.entry) && years(v.years) && strings(v.terms) &&
    (v.compare === null || v.compare === undefined || v.compare === 'previous' || v.compare === 'between'),
  suggestions: strings,
  declined: isString,
  answer: isString,
  updatedAt: (v) => typeof v === 'number' && Number.isFinite(v),
};

/**
 * The session if every field it has is of the engine's type, else null. Unknown fields make it
 * null too: they come from another program or another version, and nothing here can say what
 * they mean.
 */
export function parseSession(value: unknown): Session | null {
  if (!isObject(value)) return null;
  for (const [name, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (!Object.hasOwn(FIELDS, name) || !FIELDS[name as keyof Session](field)) return null;
  }
  return value as Session;
}

/** Any JSON object: the default for stores that do not know what their sessions hold. */
export function anyObject(value: unknown): object | null {
  return isObject(value) ? value : null;
}
