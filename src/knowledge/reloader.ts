// Hot reload of the knowledge directory: file watching (debounced), SIGHUP (wired in main.ts) and
// the admin page's button all end in `reload()`.
//
// Swap policy: a reload builds a complete new knowledge base and swaps it in only when no document
// has an 'error'-level finding. One broken file blocks the whole swap, so the bot never serves a
// mix where, say, a new year's report silently went missing; the previous knowledge base keeps
// serving until every file is fixed, and the log and `status()` name the document and the problem.
import path from 'node:path';
import { watch as watchFiles, type FSWatcher } from 'chokidar';
import type { RunningBot } from '../answer/bot.ts';
import type { Logger } from '../log.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import { REPORT_EXTENSIONS } from './readers/source-file.ts';
import type { Finding } from './types.ts';

export interface ReloadResult {
  ok: boolean;
  message: string;
  findings: Finding[];
}

export interface ReloadStatus extends ReloadResult {
  /** ISO time the knowledge base now serving was loaded (start-up or last successful reload). */
  loadedAt: string;
}

export interface Reloader {
  /** Why: shown in the log, e.g. "admin", "SIGHUP". Concurrent calls share one pass. */
  reload(reason?: string): Promise<ReloadResult>;
  /** The outcome of the last attempt (ok/message/findings) and when the serving base was loaded. */
  status(): ReloadStatus;
  /** Resolves once the watcher has scanned the directory (at once when not watching). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface ReloaderOptions {
  dir: string;
  bot: Pick<RunningBot, 'use' | 'engine'>;
  logger: Logger;
  /** Quiet time after the last file event before reloading. */
  debounceMs?: number;
  watch?: boolean;
  /**
   * A reload that has not finished by then is abandoned and the knowledge base in service stays.
   * Each file is already bounded (size, regular files only, a worker with a time limit); this
   * bounds the pass as a whole, e.g. on a network drive that stops answering.
   */
  timeoutMs?: number;
  /** Test seam; defaults to loadKnowledge. */
  load?: (dir: string) => Promise<KnowledgeBase>;
}

const KNOWN_FILES = new Set(['guide.md', 'words.txt', 'synonyms.txt']);
// vim swap/backup, emacs autosave and lock, generic temp and backup files
const TEMP_FILE = /(\.sw[a-z]|~|\.tmp|\.bak|\.orig)$|^#.*#$|^\.#/i;
const MAX_LISTED_ERRORS = 5;

function segments(root: string, file: string): string[] | null {
  const rel = path.relative(root, path.resolve(root, file));
  if (rel === '') return [];
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep);
}

/** Dotfiles, temp files, and subtrees other than reports/ are not watched at all. */
function isIgnored(root: string, file: string): boolean {
  const parts = segments(root, file);
  if (!parts || parts.length === 0) return false;
  if (parts.some((p) => p.startsWith('.'))) return true;
  if (TEMP_FILE.test(parts[parts.length - 1]!)) return true;
  return parts.length > 1 && parts[0] !== 'reports';
}

/** Events that can change what loadKnowledge reads. */
function isRelevant(root: string, file: string, event: string): boolean {
  const parts = segments(root, file);
  if (!parts || parts.length === 0) return false;
  if (parts.length === 1) return KNOWN_FILES.has(parts[0]!) || parts[0] === 'reports';
  if (parts[0] !== 'reports') return false;
  return event === 'addDir' || event === 'unlinkDir' || REPORT_EXTENSIONS.test(parts[parts.length - 1]!);
}

function summary(kb: KnowledgeBase): { documents: string[]; years: number[]; text: string } {
  const documents = kb.reports.map((r) => r.document);
  const years = [...new Set(kb.reports.map((r) => r.year))].sort((a, b) => a - b);
  const yearsText = years.length > 0 ? `（${years.join('、')} 年）` : '';
  return { documents, years, text: `${documents.length} 份年度报告${yearsText}、指南主题 ${kb.topics.length} 个` };
}

const describeFinding = (f: Finding) => `${f.document}（${f.location}）：${f.message}`;

export function createReloader(options: ReloaderOptions): Reloader {
  // The parsers are imported at the first reload: at start-up the base may be read on another thread (knowledge-thread.ts).
  const { dir, bot, logger, debounceMs = 500, timeoutMs = 60_000, load = (d: string) => import('./knowledge-base.ts').then((m) => m.loadKnowledge(d)) } = options;
  const root = path.resolve(dir);
  const initial = bot.engine.kb;
  const initialErrors = initial.findings.filter((f) => f.level === 'error');
  let loadedAt = new Date().toISOString();
  let last: ReloadResult = {
    ok: initialErrors.length === 0,
    message:
      `启动时载入：${summary(initial).text}` +
      (initialErrors.length > 0 ? `；有 ${initialErrors.length} 处错误，相关文件未收录` : ''),
    findings: initial.findings,
  };

  let loop: Promise<ReloadResult> | null = null;
  let dirty = false;
  let reasons = new Set<string>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  async function runOnce(reason: string): Promise<ReloadResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = (what: string, error: unknown): ReloadResult => {
      const message = `知识库未更新：${what}失败（${error instanceof Error ? error.message : String(error)}），仍在使用 ${loadedAt} 载入的版本。`;
      logger.error({ err: error, reason, durationMs: elapsed() }, message);
      return { ok: false, message, findings: [] };
    };
    let kb: KnowledgeBase;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        const limit = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} 秒` : `${timeoutMs} 毫秒`;
        timer = setTimeout(() => reject(new Error(`超过 ${limit}仍未完成，已放弃本次载入`)), timeoutMs);
      });
      kb = await Promise.race([load(dir), timeout]);
    } catch (error) {
      return failed(`读取知识目录 ${dir} `, error);
    } finally {
      clearTimeout(timer);
    }
    const errors = kb.findings.filter((f) => f.level === 'error');
    const { documents, years, text } = summary(kb);
    if (errors.length > 0) {
      const listed = errors.slice(0, MAX_LISTED_ERRORS).map(describeFinding).join('；');
      const more = errors.length > MAX_LISTED_ERRORS ? `；另有 ${errors.length - MAX_LISTED_ERRORS} 处` : '';
      const message =
        `知识库未更新：有 ${errors.length} 处错误——${listed}${more}。` +
        `仍在使用 ${loadedAt} 载入的版本；所有错误改正之前，任何文件的改动（包括没有错误的文件）都不会生效，改正后保存即自动重新载入。`;
      logger.error({ reason, durationMs: elapsed(), documents, years, errors }, message);
      return { ok: false, message, findings: [...errors, ...kb.findings.filter((f) => f.level !== 'error')] };
    }
    try {
      bot.use(kb);
    } catch (error) {
      return failed('启用新知识库', error);
    }
    loadedAt = new Date().toISOString();
    const warnings = kb.findings.filter((f) => f.level === 'warning').length;
    const durationMs = elapsed();
    const message = `知识库已重新载入：${text}${warnings > 0 ? `，${warnings} 条警告` : ''}，用时 ${durationMs} ms。`;
    logger.info({ reason, durationMs, documents, years, topics: kb.topics.length, warnings }, message);
    return { ok: true, message, findings: kb.findings };
  }

  function reload(reason = 'manual'): Promise<ReloadResult> {
    if (closed) return Promise.resolve({ ok: false, message: '正在关闭，不再重新载入知识库。', findings: [] });
    dirty = true;
    reasons.add(reason);
    // A request during a pass means the files may have changed after that pass read them: one
    // more pass follows, and every caller gets the outcome of the last one.
    loop ??= (async () => {
      try {
        let result: ReloadResult = last;
        while (dirty) {
          dirty = false;
          const why = [...reasons].join(',');
          reasons = new Set();
          result = await runOnce(why);
          last = result;
        }
        return result;
      } finally {
        loop = null;
      }
    })();
    return loop;
  }

  let watcher: FSWatcher | undefined;
  let ready: Promise<void> = Promise.resolve();
  if (options.watch ?? true) {
    const w = watchFiles(root, {
      ignoreInitial: true,
      ignored: (file: string) => isIgnored(root, file),
      // Held until the size stops changing, so a file still being copied is not read half-way.
      awaitWriteFinish: { stabilityThreshold: debounceMs, pollInterval: Math.max(20, Math.min(100, debounceMs / 5)) },
    });
    watcher = w;
    ready = new Promise((resolve) => w.once('ready', () => resolve()));
    w.on('all', (event, file) => {
      if (closed || !isRelevant(root, file, event)) return;
      logger.debug({ event, file }, 'knowledge file changed');
      clearTimeout(timer);
      timer = setTimeout(() => void reload('watch'), debounceMs);
    });
    w.on('error', (error) => logger.warn({ err: error, dir }, '监视知识目录出错 / watching the knowledge directory failed'));
  }

  return {
    reload,
    status: () => ({ loadedAt, ...last }),
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      await watcher?.close();
      await loop;
    },
  };
}
