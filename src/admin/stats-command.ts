// `gongkai stats [--json] [--days N] [--limit N] [--account ID]`: the question log report in the
// terminal.
//
// The log is read straight from DATA_DIR/questions.jsonl with the store's own JSON-lines reader
// and never written: the command may run next to a live server, whose store compacts and appends
// to the same file. With REDIS_URL set it is read from the Redis stream every instance writes to
// (in pages), so the report covers all instances. `--account` reports on an account of
// ACCOUNTS_FILE (its data directory or namespace, its knowledge). No salt is needed, since the
// report works on the stored user keys.
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { Engine } from '../answer/engine.ts';
import { loadKnowledge } from '../knowledge/knowledge-base.ts';
import { createLogger, type Logger } from '../log.ts';
import { JsonlFile } from '../store/jsonl-file.ts';
import { DEFAULT_LOG_MAX_ENTRIES, isLogRecord, QUESTIONS_FILE, recordId, type FeedbackEntry, type LogRecord, type QuestionEntry } from '../store/question-log.ts';
import { bodyNames } from '../language/body-names.ts';
import { computeStats, labelEntries, type LabelledStats } from './stats.ts';
import { DEFAULT_NAMESPACE } from '../accounts.ts';
import { loadConfig } from '../config.ts';
import { streamLines } from '../store/redis-stream.ts';

/** What the report is computed from. */
export interface StatsSource {
  questions: readonly QuestionEntry[];
  feedback: readonly FeedbackEntry[];
  /** The knowledge base's synonyms, for grouping unanswered questions. */
  synonyms?: ReadonlyMap<string, string>;
  /** Words that say nothing in a question here (the body's names). */
  ignored?: readonly string[];
  /** Entry id → how the entry is offered to residents. */
  label?: (entry: string) => string | undefined;
  close(): Promise<void>;
}

export interface StatsCommandOptions {
  /** Default: DATA_DIR or "data". */
  dataDir?: () => string;
  /** Default: KNOWLEDGE_DIR or "knowledge". */
  knowledgeDir?: () => string;
  /** Replaces reading DATA_DIR and the knowledge directory. */
  open?: () => Promise<StatsSource>;
  now?: () => number;
  out?: (text: string) => void;
}

/** Reads the question log read-only; a missing file is an empty log, damaged lines are skipped. */
export async function readQuestionLog(
  dataDir: string,
  logger: Logger,
  maxEntries = DEFAULT_LOG_MAX_ENTRIES,
): Promise<{ questions: QuestionEntry[]; feedback: FeedbackEntry[] }> {
  const file = new JsonlFile<LogRecord>(path.join(dataDir, QUESTIONS_FILE), { logger, validate: isLogRecord, idOf: recordId });
  // The file may hold up to half as many records again before it is compacted: the report covers
  // what the running bot keeps, the newest `maxEntries`.
  const records = ((await file.read()) ?? []).slice(-maxEntries);
  const questions: QuestionEntry[] = [];
  const feedback: FeedbackEntry[] = [];
  for (const r of records) {
    if (r.type === 'question') questions.push(r);
    else feedback.push(r);
  }
  return { questions, feedback };
}

/** The question log from the Redis stream at `key`: the newest `maxEntries`, each id once. */
export async function readQuestionStream(url: string, key: string, maxEntries = DEFAULT_LOG_MAX_ENTRIES): Promise<{ questions: QuestionEntry[]; feedback: FeedbackEntry[] }> {
  let records: LogRecord[] = [];
  const seen = new Set<string>();
  for await (const line of streamLines(url, key)) {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isLogRecord(record) || (record.id !== undefined && seen.has(record.id))) continue;
    if (record.id !== undefined) seen.add(record.id);
    records.push(record);
    if (records.length > maxEntries * 1.25) records = records.slice(-maxEntries);
  }
  records = records.slice(-maxEntries);
  return { questions: records.filter((r): r is QuestionEntry => r.type === 'question'), feedback: records.filter((r): r is FeedbackEntry => r.type === 'feedback') };
}

/** Where the log of the account asked for is kept (ACCOUNTS_FILE and REDIS_URL read as the server reads them). */
interface LogPlace {
  dataDir: string;
  knowledgeDir: string;
  redis?: { url: string; key: string } | undefined;
}

function placeOf(account: string | undefined, dataDir: string, knowledgeDir: string): LogPlace {
  const redisUrl = process.env.REDIS_URL?.trim();
  const prefix = process.env.REDIS_PREFIX?.trim() || 'gongkai';
  if (account === undefined) {
    return { dataDir, knowledgeDir, redis: redisUrl ? { url: redisUrl, key: `${prefix}:${DEFAULT_NAMESPACE}:log` } : undefined };
  }
  const config = loadConfig();
  const found = config.accounts.find((a) => a.id === account);
  if (!found) {
    throw new InvalidArgumentError(`ACCOUNTS_FILE 里没有账号 ${account}（有：${config.accounts.map((a) => a.id).join('、') || '无'}）`);
  }
  return {
    dataDir: found.dataDir,
    knowledgeDir: found.knowledgeDir,
    redis: config.redis ? { url: config.redis.url, key: `${config.redis.prefix}:${found.namespace}:log` } : undefined,
  };
}

async function openDefault(place: LogPlace): Promise<StatsSource> {
  const { dataDir, knowledgeDir } = place;
  // Logs go to stderr: stdout carries only the report.
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const log = place.redis ? await readQuestionStream(place.redis.url, place.redis.key) : await readQuestionLog(dataDir, logger);
  try {
    const kb = await loadKnowledge(knowledgeDir);
    const engine = new Engine(kb);
    return {
      ...log,
      synonyms: kb.synonyms,
      ignored: bodyNames([kb.contacts.body, ...kb.reports.map((r) => r.body)]),
      label: (id) => engine.entry(id)?.question,
      close: async () => undefined,
    };
  } catch (error) {
    // Without the knowledge base the report still stands, with entry ids for names.
    logger.warn({ err: error, knowledgeDir }, 'stats: knowledge base not loaded; entries are shown by id');
    return { ...log, close: async () => undefined };
  }
}

const positive = (max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`应为 1–${max} 的整数`);
  return n;
};

export function registerStats(program: Command, options: StatsCommandOptions = {}): Command {
  const dataDir = options.dataDir ?? (() => process.env.DATA_DIR || 'data');
  const knowledgeDir = options.knowledgeDir ?? (() => process.env.KNOWLEDGE_DIR || 'knowledge');
  const out = options.out ?? ((text: string) => process.stdout.write(`${text}\n`));
  return program
    .command('stats')
    .description('问答统计：提问量、问题类型、未回答的问题（相似问法合并）、低置信度回答、评价、各条目命中次数')
    .option('--json', '输出一个 JSON 对象')
    .option('--days <n>', '统计最近几天（含今天）', positive(366), 30)
    .option('--limit <n>', '每个列表最多几行', positive(1000), 20)
    .option('--account <id>', 'ACCOUNTS_FILE 里的一个账号（不写则是默认账号）')
    .action(async (opts: { json?: boolean; days: number; limit: number; account?: string }) => {
      const source = await (options.open ?? (() => openDefault(placeOf(opts.account, dataDir(), knowledgeDir()))))();
      try {
        const stats = computeStats(source.questions, source.feedback, {
          now: (options.now ?? Date.now)(),
          days: opts.days,
          limit: opts.limit,
          synonyms: source.synonyms,
          ignored: source.ignored,
        });
        const labelled = labelEntries(stats, source.label ?? (() => undefined));
        out(opts.json ? JSON.stringify(labelled) : formatStats(labelled));
      } finally {
        await source.close();
      }
    });
}

const percent = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '—');
const bar = (value: number, max: number, width = 24) => '█'.repeat(max > 0 ? Math.round((value / max) * width) : 0);
const localTime = (iso: string, offsetMinutes: number) =>
  new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString().slice(0, 16).replace('T', ' ');

/** The report as plain Chinese text. */
export function formatStats(s: LabelledStats): string {
  const lines: string[] = [];
  const { totals, period } = s;
  lines.push(`问答统计 ${period.from} 至 ${period.to}（${period.days} 天，UTC+${period.utcOffsetMinutes / 60}）`);
  if (totals.messages === 0 && s.feedback.useful + s.feedback.useless === 0) {
    lines.push('这段时间还没有提问记录。');
    return lines.join('\n');
  }
  const asked = totals.messages - totals.social;
  lines.push(
    `共 ${totals.messages} 条消息，来自 ${totals.users} 位用户；提问 ${asked} 个，已回答 ${totals.answered} 个（${percent(totals.answered, asked)}），` +
      `未回答 ${totals.unanswered} 个；问候、感谢、限流等 ${totals.social} 条。`,
  );
  lines.push(`渠道：${s.channels.map((c) => `${c.label} ${c.count}`).join('，') || '无'}`);

  lines.push('', '每日消息量（已回答 / 未回答）：');
  const busiest = Math.max(...s.daily.map((d) => d.total));
  for (const d of s.daily) {
    lines.push(`  ${d.day}  ${String(d.total).padStart(4)}${d.total ? `  ${bar(d.total, busiest)}  ${d.answered}/${d.unanswered}` : ''}`);
  }

  lines.push('', '问题类型：');
  for (const i of s.intents) lines.push(`  ${i.label}（${i.intent}）  ${i.count}`);

  lines.push('', '未回答的问题（相似问法已合并）：');
  if (s.unansweredGroups.length === 0) lines.push('  无');
  s.unansweredGroups.forEach((g, n) => {
    lines.push(`  ${n + 1}. ${g.label}  ×${g.count}${g.wordings > 1 ? `（${g.wordings} 种问法）` : ''}`);
    if (g.examples.length) lines.push(`     其他问法：${g.examples.join('；')}`);
  });

  lines.push('', '问得最多的问题：');
  if (s.topQuestions.length === 0) lines.push('  无');
  s.topQuestions.forEach((t, n) => lines.push(`  ${n + 1}. ${t.question}  ×${t.count}（已回答 ${t.answered}）`));

  lines.push('', '低置信度的回答（置信度低于 0.6）：');
  if (s.lowConfidence.length === 0) lines.push('  无');
  for (const r of s.lowConfidence) lines.push(`  ${r.question}  ×${r.count}  置信度 ${r.confidence} → ${r.entryLabel ?? r.entry}`);

  lines.push('', `评价：有用 ${s.feedback.useful}，没用 ${s.feedback.useless}`);
  for (const r of s.feedback.uselessQuestions) {
    lines.push(`  没用：${r.question}  ×${r.count}${r.entry ? ` → ${r.entryLabel ?? r.entry}` : ''}（最近 ${localTime(r.lastTime, period.utcOffsetMinutes)}）`);
  }

  lines.push('', '各条目命中次数：');
  if (s.hits.length === 0) lines.push('  无');
  for (const h of s.hits) {
    const verdicts = h.useful + h.useless > 0 ? `（有用 ${h.useful}，没用 ${h.useless}）` : '';
    lines.push(`  ${String(h.count).padStart(4)}  ${h.label ?? h.entry}${verdicts}`);
  }
  return lines.join('\n');
}
