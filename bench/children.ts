// Running bench scripts in child processes and talking to them over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ServerStats } from './webhook-server.ts';

export const benchFile = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

export interface Child {
  process: ChildProcess;
  /** Resolves with the first message that has `key`. */
  next<T>(key: string): Promise<T>;
  send(message: object): void;
  exited: Promise<number | null>;
}

const START_WORDS = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);

/**
 * The node flags of `npm start` (package.json's start script, e.g. the young generation's size):
 * the load runs' servers run with them, as the production server does.
 */
export const START_FLAGS: string[] = START_WORDS.slice(START_WORDS.indexOf('node') + 1).filter((w) => w.startsWith('--'));

/** The environment `npm start` sets for node (`env NAME=value node …`, e.g. glibc's malloc arenas). */
export const START_ENV: Record<string, string> = Object.fromEntries(
  START_WORDS.slice(0, START_WORDS.indexOf('node'))
    .filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w))
    .map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]),
);

/** Extra node flags for the load runs' servers (profiling: e.g. `--heap-prof --heap-prof-dir=/tmp/p`). */
const SERVER_ARGS = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);

let compiledServer: string | undefined;

/**
 * webhook-server.ts bundled into one JavaScript file (once per bench run), so that the servers run
 * as `npm start` runs, without tsx: its loader (a hooks thread with a heap of its own, and the
 * transpiled text it keeps) held about 30 MB of every server's RSS that production never has. The
 * bundle is the harness alone (webhook-server.ts, wechat.ts and what they import from src/); the
 * project itself comes from dist/ as before. esbuild is the one tsx runs on.
 */
function serverFile(): string {
  if (compiledServer !== undefined) return compiledServer;
  const source = benchFile('webhook-server.ts');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const esbuild = createRequire(join(root, 'node_modules', 'tsx', 'package.json'))('esbuild') as typeof import('esbuild');
  // Under node_modules, so that any package it imports resolves as from the project.
  const dir = join(root, 'node_modules', '.cache', 'gongkai', 'bench');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `webhook-server-${process.pid}.mjs`);
  esbuild.buildSync({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    // Its paths (../dist/…) stay relative to where the source is.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(source).href) },
  });
  process.once('exit', () => rmSync(outfile, { force: true }));
  compiledServer = outfile;
  return outfile;
}

/** Forks a bench file, a .ts one under tsx (the webhook server compiled, see serverFile); `progress` messages go to `onProgress`. */
export function spawnChild(name: string, args: string[], options: { execArgv?: string[]; onProgress?: (text: string) => void } = {}): Child {
  const server = name === 'webhook-server.ts';
  const child = fork(server ? serverFile() : benchFile(name), args, {
    // The project's servers run with npm start's flags; the bare floor (any webhook) without them.
    execArgv: [
      ...(options.execArgv ?? []),
      ...(server ? [...(args[0] === 'bare' ? [] : START_FLAGS), ...SERVER_ARGS] : []),
      ...(name.endsWith('.ts') && !server ? ['--import', 'tsx'] : []),
    ],
    ...(server && args[0] !== 'bare' ? { env: { ...process.env, ...START_ENV } } : {}),
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const waiting = new Map<string, Array<(value: unknown) => void>>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.on('message', (message: Record<string, unknown>) => {
    if (typeof message.progress === 'string') options.onProgress?.(message.progress);
    for (const [key, resolvers] of waiting) {
      if (key in message && resolvers.length) resolvers.shift()!(message[key]);
    }
  });
  return {
    process: child,
    send: (message) => child.send(message),
    exited,
    next<T>(key: string): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const list = waiting.get(key) ?? [];
        list.push(resolve as (value: unknown) => void);
        waiting.set(key, list);
        void exited.then((code) => reject(new Error(`${name} exited (${code}) before sending "${key}"\n${stderr}`)));
      });
    },
  };
}

/** Runs a child to completion and returns its `result` message. */
export async function runChild<T>(name: string, args: string[], options: { execArgv?: string[]; onProgress?: (text: string) => void } = {}): Promise<T> {
  const child = spawnChild(name, args, options);
  const result = await child.next<T>('result');
  await child.exited;
  return result;
}

export interface WebhookServer {
  child: Child;
  port: number;
  /** The server's own figures (CPU, event loop, sessions, Redis calls), asked over IPC. */
  stats(): Promise<ServerStats>;
}

/** A webhook-server.ts child once it listens (args: mode, knowledge directory, data directory[, Redis URL]). */
export async function webhookServer(args: string[], options: { execArgv?: string[] } = {}): Promise<WebhookServer> {
  const child = spawnChild('webhook-server.ts', args, options);
  const { port } = await child.next<{ port: number }>('ready');
  const stats = (): Promise<ServerStats> => {
    const answer = child.next<ServerStats>('stats');
    child.send({ cmd: 'stats' });
    return answer;
  };
  return { child, port, stats };
}
