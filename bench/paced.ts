// An open-loop load at a steady rate: requests sent at Poisson arrival times (independent
// residents), each on the next free keep-alive connection, whether or not earlier ones have been
// answered. autocannon's fixed rate is a per-second budget per connection spent as fast as the
// server answers, so "500 messages/s" reaches the server as a burst at 3,000 a second at the start
// of every second; its p99 then measures how long the last of a burst queues, not what a message
// waits at that rate. Latency here runs from the arrival time the schedule gave the request to the
// end of its response, so a late send (this process descheduled) counts against the figure, and
// how late the sends were is reported beside it.
import { Agent, request } from 'node:http';
import { percentile, prng } from './stats.ts';
import type { SignedMessage } from './wechat.ts';
import type { LoadResult } from './load.ts';

export interface PacedOptions {
  port: number;
  /** Mean messages per second. */
  rate: number;
  durationS: number;
  /** Keep-alive connections at most (WeChat's servers open several). */
  connections: number;
  message: (n: number) => SignedMessage;
  seed?: number;
}

/** The same figures as an autocannon run's, and how late the load generator itself sent. */
export interface PacedResult extends Pick<LoadResult, 'requests' | 'durationS' | 'rps' | 'latencyP50' | 'latencyP99' | 'latencyMax' | 'errors' | 'non2xx' | 'emptyReplies'> {
  /** How late the sends left against their schedule, ms: the load generator's own delay. */
  sendLagP99: number;
}

export async function paced(options: PacedOptions): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const random = prng(options.seed ?? 7);
  const latencies: number[] = [];
  const lags: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let emptyReplies = 0;
  let sent = 0;
  const start = performance.now();
  const end = start + options.durationS * 1000;
  let due = start;
  const inFlight = new Set<Promise<void>>();

  const send = (n: number, scheduled: number): void => {
    const m = options.message(n);
    lags.push(performance.now() - scheduled);
    const done = new Promise<void>((resolve) => {
      const req = request({ agent, host: '127.0.0.1', port: options.port, method: 'POST', path: m.path, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(m.body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          latencies.push(performance.now() - scheduled);
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) non2xx++;
          else if (!Buffer.concat(chunks).toString('utf8').includes('<Content>')) emptyReplies++;
          resolve();
        });
        res.on('error', () => (errors++, resolve()));
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => (errors++, resolve()));
      req.end(m.body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  // A timer every millisecond sends whatever the schedule has made due since the last one.
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (due <= now && due < end) {
        send(sent++, due);
        due += (-Math.log(1 - random()) * 1000) / options.rate;
      }
      if (due >= end) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inFlight);
  agent.destroy();
  const durationS = (performance.now() - start) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const lagSorted = Float64Array.from(lags).sort();
  return {
    requests: latencies.length,
    durationS,
    rps: latencies.length / options.durationS,
    latencyP50: percentile(sorted, 50),
    latencyP99: percentile(sorted, 99),
    latencyMax: sorted[sorted.length - 1] ?? NaN,
    sendLagP99: percentile(lagSorted, 99),
    errors,
    non2xx,
    emptyReplies,
  };
}
