// The bot started as an operator starts it: `npm start` (npm, then sh, then the bot), the exact
// command the start script runs, or that command on a terminal (a pseudo-terminal from util-linux's
// `script`). stderr is kept line by line; the bot's own pid is read from its first log line, and
// every bot still running is killed by that pid in `stopAll` (killing npm would leave it running).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** What `npm start` runs, as package.json says. */
export const START_COMMAND = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;

export type How = 'npm start' | 'command' | 'terminal';

export interface Started {
  /** The process spawned: npm, the command itself, or `script`. */
  child: ChildProcess;
  /** Output lines so far (stderr; for a terminal, everything it showed), colour codes removed. */
  lines: string[];
  /** The lines that are JSON objects. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the first line matching, waiting up to `ms`. */
  line(match: RegExp | ((line: string) => boolean), ms?: number): Promise<string>;
  /** The pid the bot printed in its first log line. */
  pid(): Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<Started>();
// eslint-disable-next-line no-control-regex
const COLOUR = /\x1b\[[0-9;]*m/g;

/** Configuration for a quiet, local bot; `env` adds to or overrides it. */
export function botEnv(dataDir: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    KNOWLEDGE_DIR: 'knowledge',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    // Set but blank means unset, and a developer's .env cannot fill them in (it never overrides).
    LOG_FORMAT: '',
    PID_FILE: '',
    DATA_SALT: '',
    WECHAT_TOKEN: '',
    WECHAT_APPID: '',
    WECHAT_ENCODING_AES_KEY: '',
    WECHAT_PREVIOUS_ENCODING_AES_KEY: '',
    WECHATY_PUPPET: '',
    ADMIN_TOKEN: '',
    CHAT_TITLE: '',
    ACCOUNTS_FILE: '',
    REDIS_URL: '',
    ...env,
  };
}

export function start(how: How, env: NodeJS.ProcessEnv): Started {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const [command, ...args] =
    how === 'npm start' ? [...npm, 'start'] : how === 'command' ? ['sh', '-c', START_COMMAND] : ['script', '-qfec', START_COMMAND, '/dev/null'];
  const child = spawn(command!, args, { cwd: ROOT, env, stdio: ['ignore', how === 'terminal' ? 'pipe' : 'ignore', 'pipe'] });
  const lines: string[] = [];
  const waiting = new Set<() => void>();
  let partial = '';
  const take = (chunk: string) => {
    const parts = (partial + chunk).split(/\r?\n/);
    partial = parts.pop() ?? '';
    lines.push(...parts.map((l) => l.replace(COLOUR, '')));
    for (const wake of waiting) wake();
  };
  child.stdout?.setEncoding('utf8').on('data', take);
  child.stderr!.setEncoding('utf8').on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const wake of waiting) wake();
  });

  const line = (match: RegExp | ((line: string) => boolean), ms = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const test = typeof match === 'function' ? match : (l: string) => match.test(l);
      const timer = setTimeout(() => finish(new Error(`no line matching ${String(match)} within ${ms} ms:\n${lines.join('\n')}`)), ms);
      const finish = (error?: Error, found?: string) => {
        clearTimeout(timer);
        waiting.delete(check);
        if (error) reject(error);
        else resolve(found!);
      };
      const check = () => {
        const found = lines.find(test);
        if (found !== undefined) finish(undefined, found);
        else if (gone) finish(new Error(`exited before a line matching ${String(match)}:\n${lines.join('\n')}`));
      };
      waiting.add(check);
      check();
    });

  let pid: Promise<number> | undefined;
  const handle: Started = {
    child,
    lines,
    logs: () =>
      lines.flatMap((l) => {
        try {
          const parsed = JSON.parse(l) as unknown;
          return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      }),
    line,
    pid: () => (pid ??= line(/pid \d+/).then((l) => Number(/pid (\d+)/.exec(l)![1]))),
    exited,
  };
  started.add(handle);
  void exited.then(() => started.delete(handle));
  return handle;
}

/** The http://host:port of a started bot, from its chat page line. */
export async function baseUrl(bot: Started): Promise<string> {
  const l = await bot.line(/chat page: http:\/\/[^/\s"]+\//);
  return /chat page: (http:\/\/[^/\s"]+)\//.exec(l)![1]!;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs every bot still running (by its own pid) and what was spawned for it; for afterAll. */
export async function stopAll(): Promise<void> {
  for (const bot of [...started]) {
    const pid = bot.lines.map((l) => /pid (\d+)/.exec(l)?.[1]).find(Boolean);
    if (pid && isRunning(Number(pid))) process.kill(Number(pid), 'SIGKILL');
    if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
    await bot.exited;
  }
}
