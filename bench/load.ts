// autocannon runs against the webhook: signed text messages from many OpenIDs.
import autocannon, { type Request, type Result } from 'autocannon';
import { nowSeconds, openid, textMessage, type SignedMessage } from './wechat.ts';

export interface LoadResult {
  requests: number;
  durationS: number;
  /** Mean requests per second over the run. */
  rps: number;
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx replies without a text answer ("success": the bot was not ready in time). */
  emptyReplies: number;
  connections: number;
  /** Server CPU time (user + system) per request, when measured. */
  serverCpuUsPerRequest?: number;
  /** The server's event-loop delay during the run (ms), when measured. */
  loopDelayP99Ms?: number;
  loopDelayMaxMs?: number;
}

export interface LoadOptions {
  port: number;
  connections: number;
  duration?: number;
  amount?: number;
  overallRate?: number;
  /** The n-th request's message; defaults to fresh messages from 10,000 OpenIDs. */
  message?: (n: number) => SignedMessage;
  /** Sees every reply with the index of the message it answers. */
  onReply?: (n: number, status: number, body: string) => void;
}

export const OPENIDS = 10_000;

/** Fresh messages: the n-th from OpenID n mod 10,000, a new MsgId each, questions in turn. */
export function freshMessages(questions: string[], runId: number): (n: number) => SignedMessage {
  const base = BigInt(Date.now()) * 1000n + BigInt(runId) * 100_000_000n;
  return (n) => textMessage(openid(n % OPENIDS), String(base + BigInt(n)), questions[n % questions.length]!, nowSeconds(), String(100_000 + (n % 900_000)));
}

export async function load(options: LoadOptions, questions: string[], runId: number): Promise<LoadResult> {
  const message = options.message ?? freshMessages(questions, runId);
  let seq = 0;
  let emptyReplies = 0;
  const request: Request = {
    method: 'POST',
    setupRequest: (req, context) => {
      const n = seq++;
      const m = message(n);
      // With one request in flight per connection, the context still names it when it returns.
      context.n = n;
      return { ...req, path: m.path, body: m.body, headers: { ...req.headers, 'content-type': 'text/xml' } };
    },
    onResponse: (status, body, context) => {
      if (status === 200 && !body.includes('<Content>')) emptyReplies++;
      options.onReply?.(context.n as number, status, body);
    },
  };
  const result: Result = await autocannon({
    url: `http://127.0.0.1:${options.port}`,
    connections: options.connections,
    pipelining: 1,
    timeout: 10,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 8 }),
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [request],
  });
  const requests = result['2xx'] + result.non2xx;
  return {
    requests,
    durationS: result.duration,
    rps: requests / result.duration,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMax: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    emptyReplies,
    connections: result.connections,
  };
}
