// The real server as a child process (`node --import tsx src/main.ts`), for the crash-safety
// tests: started on a free port with its own DATA_DIR, its stderr (pino JSON) kept, and every
// child killed in afterEach even when a test fails half-way.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ROOT } from './knowledge.ts';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** stderr lines that were JSON (the logger's output). */
  logs: LogLine[];
  /** All of stderr, for failure messages. */
  stderr(): string;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server and waits until /healthz answers. Start-up loads jieba's dictionary and
 * imports wechaty: seconds on a quiet machine, much longer on a busy one, hence the long wait.
 */
export async function startServerProcess(dataDir: string, timeoutMs = 90_000, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      KNOWLEDGE_DIR: 'knowledge',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // Set but blank means unset, and a developer's .env cannot fill them in (it never overrides).
      DATA_SALT: '',
      WECHAT_TOKEN: '',
      WECHAT_APPID: '',
      WECHAT_ENCODING_AES_KEY: '',
      WECHAT_PREVIOUS_ENCODING_AES_KEY: '',
      WECHATY_PUPPET: '',
      CHAT_TITLE: '',
      ADMIN_TOKEN: '',
      ACCOUNTS_FILE: '',
      REDIS_URL: '',
      ...env,
    },
  });
  running.add(child);
  let text = '';
  const logs: LogLine[] = [];
  let partial = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    text += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line (a Node warning, a stack trace): kept in `text` only
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = { url, pid: child.pid!, child, logs, stderr: () => text, exited };

  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`server exited during start-up:\n${text}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`server did not answer /healthz within ${timeoutMs} ms:\n${text}`);
}

/** SIGKILLs every child still running; for afterEach/afterAll. */
export async function killAll(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface AskResult {
  status: number;
  body: { reply?: string; answered?: boolean; intent?: string; error?: string };
}

export async function ask(url: string, question: string, user?: string): Promise<AskResult> {
  const res = await fetch(`${url}/api/ask`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(user === undefined ? { question } : { question, user }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as AskResult['body'] };
}
