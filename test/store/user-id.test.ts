import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { loadSalt, userKey, userKeyer } from '../../src/store/user-id.ts';
import { openStore } from '../../src/store/data-dir.ts';
import pino from 'pino';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-salt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('salt', () => {
  it('is generated once (mode 0600) and reused across reopen', async () => {
    const first = await loadSalt(dir, { logger: silentLogger });
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const info = await stat(path.join(dir, 'salt'));
    expect(info.mode & 0o777).toBe(0o600);
    const again = await loadSalt(dir, { logger: silentLogger });
    expect(again).toBe(first);

    const a = await openStore(dir, { logger: silentLogger });
    const keyA = a.userKey('oABCD1234openid');
    await a.close();
    const b = await openStore(dir, { logger: silentLogger });
    expect(b.userKey('oABCD1234openid')).toBe(keyA);
    expect(keyA).toBe(userKey(first, 'oABCD1234openid'));
    await b.close();
  });

  it('honours DATA_SALT and then writes no salt file', async () => {
    const salt = await loadSalt(dir, { logger: silentLogger, salt: 'from-env' });
    expect(salt).toBe('from-env');
    expect(await readdir(dir)).toEqual([]);
    const store = await openStore(dir, { logger: silentLogger, salt: 'from-env' });
    expect(store.userKey('张三')).toBe(userKey('from-env', '张三'));
    await store.close();
    expect(await readdir(dir)).not.toContain('salt');
  });

  it('treats an empty DATA_SALT as absent', async () => {
    const salt = await loadSalt(dir, { logger: silentLogger, salt: '' });
    expect(salt).toMatch(/^[0-9a-f]{64}$/);
  });

  it('moves a garbage salt file aside with a warning and generates a new one', async () => {
    await writeFile(path.join(dir, 'salt'), '\u0000\u0001not a salt');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const salt = await loadSalt(dir, { logger });
    expect(salt).toMatch(/^[0-9a-f]{64}$/);
    expect((await readFile(path.join(dir, 'salt'), 'utf8')).trim()).toBe(salt);
    const files = await readdir(dir);
    expect(files.some((f) => /^salt\.corrupt-/.test(f))).toBe(true);
    expect(lines.join('')).toContain('corrupt');
  });
});

describe('userKey', () => {
  it('is deterministic per salt, differs across salts and ids, 32 hex characters', () => {
    const k = userKeyer('salt-1');
    expect(k('oABCD1234openid')).toBe(k('oABCD1234openid'));
    expect(k('oABCD1234openid')).toMatch(/^[0-9a-f]{32}$/);
    expect(k('oABCD1234openid')).not.toBe(k('oABCD1234openie'));
    expect(userKey('salt-2', 'oABCD1234openid')).not.toBe(k('oABCD1234openid'));
    expect(k('张三')).not.toBe(userKey('salt-2', '张三'));
  });
});

describe('userKeyer', () => {
  it('gives userKey of each id, also for ids seen again after many others pushed them out of its cache', () => {
    const key = userKeyer('keyer-salt');
    const ids = Array.from({ length: 12_000 }, (_, i) => `o${i}`);
    for (const id of ids) expect(key(id)).toBe(userKey('keyer-salt', id));
    for (const id of [...ids].reverse()) expect(key(id)).toBe(userKey('keyer-salt', id));
    expect(userKeyer('')('x')).toBe(userKey('', 'x'));
    expect(userKeyer('盐 salt')('用户')).toBe(userKey('盐 salt', '用户'));
  });
});
