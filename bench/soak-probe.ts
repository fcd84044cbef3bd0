// The soak's witnesses, in their own process so that the load generator's busy event loop does
// not sit in their timings: /healthz every 50 ms, residents sending questions at a resident's pace
// (each must get an answer), and an admin polling the statistics. argv: port, seconds.
// IPC: on {cmd: 'stop'} sends {result}.
import { nowSeconds, ADMIN_TOKEN, textMessage } from './wechat.ts';

export interface SoakProbeResult {
  health: { count: number; p50: number; p99: number; max: number; failed: number };
  residents: { sent: number; answered: number; lost: Array<{ msgId: string; why: string }>; p99: number; questions: string[] };
  admin: { polls: number; ok: number; p50: number; max: number };
}

const [portArg, secondsArg] = process.argv.slice(2);
const base = `http://127.0.0.1:${portArg}`;
const seconds = Number(secondsArg ?? 180);
const RESIDENTS = 100;
const EVERY_MS = 5_000;
const QUESTIONS = ['2019年行政处罚有多少件', '怎么申请政府信息公开', '申请要多久', '网址是多少', '收费吗', '2019年收到多少申请', '那行政强制呢', '不服可以复议吗'];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
};

const health: number[] = [];
let healthFailed = 0;
const residentLatency: number[] = [];
const lost: Array<{ msgId: string; why: string }> = [];
const asked: string[] = [];
let sent = 0;
let answered = 0;
const admin: number[] = [];
let adminOk = 0;
let running = true;

async function healthLoop(): Promise<void> {
  while (running) {
    const started = performance.now();
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) });
      await res.text();
      if (res.status === 200) health.push(performance.now() - started);
      else healthFailed++;
    } catch {
      healthFailed++;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function resident(i: number): Promise<void> {
  // Spread over the interval so that the residents do not all ask at once.
  await new Promise((resolve) => setTimeout(resolve, (i * EVERY_MS) / RESIDENTS));
  const openid = `oResident${String(i).padStart(4, '0')}${'r'.repeat(15)}`;
  let turn = 0;
  while (running) {
    const msgId = String(9_000_000_000_000_000n + BigInt(i) * 100_000n + BigInt(turn));
    const question = `${QUESTIONS[(i + turn) % QUESTIONS.length]}（居民${i}第${turn}问）`;
    const m = textMessage(openid, msgId, question, nowSeconds(), String(500_000 + i * 1000 + turn));
    turn++;
    sent++;
    asked.push(question);
    const started = performance.now();
    try {
      const res = await fetch(`${base}${m.path}`, { method: 'POST', body: m.body, headers: { 'content-type': 'text/xml' }, signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      if (res.status !== 200) lost.push({ msgId, why: `status ${res.status}` });
      else if (!text.includes('<Content>')) lost.push({ msgId, why: `no answer: ${text.slice(0, 40)}` });
      else {
        answered++;
        residentLatency.push(performance.now() - started);
      }
    } catch (err) {
      lost.push({ msgId, why: (err as Error).message });
    }
    await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
  }
}

async function adminLoop(): Promise<void> {
  while (running) {
    const started = performance.now();
    try {
      const res = await fetch(`${base}/admin/api/stats?days=7`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: AbortSignal.timeout(60_000) });
      await res.text();
      if (res.status === 200) adminOk++;
    } catch {
      // counted as a poll that did not succeed
    }
    admin.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

// BENCH_SOAK_ADMIN=0 leaves the admin out: what the statistics cost in memory shows by difference.
const loops = [healthLoop(), ...(process.env.BENCH_SOAK_ADMIN === '0' ? [] : [adminLoop()]), ...Array.from({ length: RESIDENTS }, (_, i) => resident(i))];
process.send?.({ ready: true });
const stop = new Promise<void>((resolve) => process.on('message', (m: { cmd?: string }) => m.cmd === 'stop' && resolve()));
// A parent that never says stop: give up some time after the soak should have ended.
const giveUp = setTimeout(() => process.emit('message', { cmd: 'stop' }, undefined), (seconds + 120) * 1000);
giveUp.unref();
await stop;
running = false;
await Promise.all(loops);
const result: SoakProbeResult = {
  health: { count: health.length, p50: percentile(health, 50), p99: percentile(health, 99), max: Math.max(0, ...health), failed: healthFailed },
  residents: { sent, answered, lost, p99: percentile(residentLatency, 99), questions: asked },
  admin: { polls: admin.length, ok: adminOk, p50: percentile(admin, 50), max: Math.max(0, ...admin) },
};
process.send?.({ result });
process.disconnect();
