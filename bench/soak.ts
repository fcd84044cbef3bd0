// The soak: the real server held at the webhook's capacity for minutes by a mixed flood, while
// residents ask at a resident's pace, an admin polls the statistics and /healthz is asked every
// 50 ms (bench/soak-probe.ts, in its own process). The flood, in turns of ten requests: six new
// messages from 500 flooding accounts (each far past the per-sender limit), a WeChat retry of one
// of them, a forged signature, a replay of a message captured at the start, and an anonymous junk
// question to /api/ask from one address.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon, { type Request } from 'autocannon';
import type { Child } from './children.ts';
import type { SoakProbeResult } from './soak-probe.ts';
import type { ServerStats } from './webhook-server.ts';
import { nowSeconds, openid, textMessage, type SignedMessage } from './wechat.ts';

export const KINDS = ['new', 'retry', 'forged', 'replay', 'api junk'] as const;
/** Accounts the flood's new messages come from: each sends far more than a resident could. */
export const FLOODERS = 500;
export type Kind = (typeof KINDS)[number];

export interface SoakResult {
  seconds: number;
  connections: number;
  requests: number;
  rps: number;
  /** Responses per kind of request and status. */
  statuses: Record<Kind, Record<string, number>>;
  errors: number;
  timeouts: number;
  probe: SoakProbeResult;
  /** Residents' questions not found in questions.jsonl after the run. */
  residentsNotLogged: number;
  server: ServerStats;
}

const kindOf = (n: number): Kind => (['new', 'new', 'new', 'new', 'new', 'new', 'retry', 'forged', 'replay', 'api junk'] as const)[n % 10]!;

interface Server {
  port: number;
  dataDir: string;
  child: Child;
  stats(): Promise<ServerStats>;
}

export async function soak(server: Server, questions: string[], seconds: number, spawnProbe: () => Child): Promise<SoakResult> {
  const connections = 10;
  // Messages captured at the start, to be replayed within their timestamp window.
  const captured: SignedMessage[] = Array.from({ length: 500 }, (_, i) => textMessage(openid(60_000 + i), String(7_000_000_000_000_000n + BigInt(i)), questions[i % questions.length]!, nowSeconds(), String(700_000 + i)));
  for (const m of captured) await fetch(`http://127.0.0.1:${server.port}${m.path}`, { method: 'POST', body: m.body, headers: { 'content-type': 'text/xml' } }).then((r) => r.text());

  const probe = spawnProbe();
  await probe.next('ready');
  const base = BigInt(Date.now()) * 1000n;
  const fresh = (n: number): SignedMessage => textMessage(openid(80_000 + (n % FLOODERS)), String(base + BigInt(n)), questions[n % questions.length]!, nowSeconds(), String(100_000 + (n % 900_000)));
  const sentNew = new Map<number, SignedMessage>();
  const statuses = Object.fromEntries(KINDS.map((k) => [k, {} as Record<string, number>])) as SoakResult['statuses'];
  let seq = 0;
  const request: Request = {
    method: 'POST',
    setupRequest: (req, context) => {
      const n = seq++;
      const kind = kindOf(n);
      context.kind = kind;
      const headers = { ...req.headers, 'content-type': 'text/xml' };
      switch (kind) {
        case 'new': {
          const m = fresh(n);
          sentNew.set(n, m);
          sentNew.delete(n - 100);
          return { ...req, path: m.path, body: m.body, headers };
        }
        case 'retry': {
          const m = sentNew.get(n - 6) ?? fresh(n);
          return { ...req, path: m.path, body: m.body, headers };
        }
        case 'forged': {
          const m = fresh(n);
          return { ...req, path: m.path.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`), body: m.body, headers };
        }
        case 'replay': {
          const m = captured[n % captured.length]!;
          return { ...req, path: m.path, body: m.body, headers };
        }
        case 'api junk':
          return { ...req, path: '/api/ask', body: JSON.stringify({ question: `广告 ${n} 加微信领取` }), headers: { ...req.headers, 'content-type': 'application/json' } };
      }
    },
    onResponse: (status, _body, context) => {
      const byStatus = statuses[context.kind as Kind];
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    },
  };
  // BENCH_SOAK_REQUESTS ends the flood after that many requests instead (at most 10× `seconds`):
  // what the server keeps grows with the requests, so A/B runs on a machine whose load changes the
  // rate compare equal work.
  const amount = Number(process.env.BENCH_SOAK_REQUESTS ?? 0);
  const length = amount > 0 ? { amount, duration: seconds * 10 } : { duration: seconds };
  const result = await autocannon({ url: `http://127.0.0.1:${server.port}`, connections, pipelining: 1, timeout: 10, ...length, requests: [request] });
  const probeResult = probe.next<SoakProbeResult>('result');
  probe.send({ cmd: 'stop' });
  const witnessed = await probeResult;
  await probe.exited;
  const stats = await server.stats();

  // Stopping the server flushes the log: every resident's question must be in it.
  server.child.send({ cmd: 'stop' });
  await server.child.exited;
  const logged = new Set<string>();
  for (const line of (await readFile(join(server.dataDir, 'questions.jsonl'), 'utf8')).split('\n')) {
    if (!line.includes('居民')) continue;
    try {
      logged.add((JSON.parse(line) as { question: string }).question);
    } catch {
      // a torn line would be a loss: it shows as a question not logged
    }
  }
  const residentsNotLogged = witnessed.residents.questions.filter((q) => !logged.has(q)).length;
  witnessed.residents.questions = [];
  const requests = result['2xx'] + result.non2xx;
  return { seconds, connections, requests, rps: requests / result.duration, statuses, errors: result.errors, timeouts: result.timeouts, probe: witnessed, residentsNotLogged, server: stats };
}
