// Log lines as pino's conventions have them: readable on a terminal, JSON lines anywhere else,
// LOG_FORMAT deciding when set. Checked on the real start command, on a pipe and on a
// pseudo-terminal.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseFormat } from '../src/log.ts';
import { botEnv, start, stopAll, type How } from './helpers/start.ts';

afterAll(stopAll);

// Time, level, message, then the line's fields.
const READABLE = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: 聊天页面 \/ chat page: (http:\/\/127\.0\.0\.1:\d+\/) \{"url":"\1"\}$/;

/** The bot's lines up to its chat page line, then the bot stopped by its pid. */
async function startLines(how: How, env: Record<string, string> = {}): Promise<{ lines: string[]; raw: string }> {
  const bot = start(how, botEnv(await mkdtemp(path.join(tmpdir(), 'gongkai-log-')), env));
  let raw = '';
  bot.child.stdout?.on('data', (d: string) => (raw += d));
  bot.child.stderr?.on('data', (d: string) => (raw += d));
  await bot.line(/chat page/);
  await bot.line(/admin page off/);
  process.kill(await bot.pid(), 'SIGTERM');
  await bot.exited;
  return { lines: bot.lines.filter((l) => l.trim() !== ''), raw };
}

describe('chooseFormat', () => {
  it('takes LOG_FORMAT when it names a format, else readable on a terminal and JSON elsewhere', () => {
    expect(chooseFormat('json', true)).toBe('json');
    expect(chooseFormat(' Pretty ', false)).toBe('pretty');
    expect(chooseFormat(undefined, true)).toBe('pretty');
    expect(chooseFormat('', false)).toBe('json');
  });
});

describe('the start log', { timeout: 60_000 }, () => {
  it('is one JSON object per line on a pipe', async () => {
    const { lines } = await startLines('command');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^聊天页面 \/ chat page: http/), expect.stringMatching(/^管理页面未启用/)]),
    );
  });

  it('is readable lines, in colour, on a terminal', async () => {
    const { lines, raw } = await startLines('terminal');
    expect(lines.some((l) => READABLE.test(l)), lines.join('\n')).toBe(true);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
    // pino-pretty shows a `pid` field next to the level.
    expect(lines[0]).toMatch(/^\[[^\]]+\] INFO \((\d+)\): 进程号 \/ pid \1: kill -HUP \1 /);
    expect(raw).toMatch(/\x1b\[3\dm/);
  });

  it('follows LOG_FORMAT: readable without colour on a pipe, JSON on a terminal', async () => {
    const pretty = await startLines('command', { LOG_FORMAT: 'pretty' });
    expect(pretty.lines.some((l) => READABLE.test(l)), pretty.lines.join('\n')).toBe(true);
    expect(pretty.raw).not.toMatch(/\x1b\[/);
    const json = await startLines('terminal', { LOG_FORMAT: 'json' });
    const fromBot = json.lines.filter((l) => l.includes('chat page'));
    expect(fromBot).toHaveLength(1);
    expect(JSON.parse(fromBot[0]!)).toMatchObject({ level: 30, msg: expect.stringMatching(/^聊天页面 \/ chat page/) });
  });

  it('refuses an unknown LOG_FORMAT, naming it', async () => {
    const bot = start('command', botEnv(await mkdtemp(path.join(tmpdir(), 'gongkai-log-')), { LOG_FORMAT: 'xml' }));
    expect((await bot.exited).code).toBe(1);
    expect(bot.lines.join('\n')).toMatch(/LOG_FORMAT 必须是 json \/ pretty 之一/);
  });
});
