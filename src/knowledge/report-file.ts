// A report file → what the parser and validator make of it. The whole path is bounded: only
// regular files within a size limit are read, their content is checked before parsing, and
// large files and PDF/DOCX are read in a worker thread with a time limit, so one bad file can
// neither block the event loop nor hang a reload.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readDocument, withPages } from './readers/document.ts';
import { documentKind, readSourceFile, type DocumentKind } from './readers/source-file.ts';
import { parseReport } from './report-parser.ts';
import { validateReport } from './validate.ts';
import type { Finding, ParsedReport } from './types.ts';

export interface ReadReportResult {
  /** null when the file could not be read at all; findings say why. */
  parsed: ParsedReport | null;
  /** The reader's, the parser's and the validator's findings. */
  findings: Finding[];
}

/** Files at least this large are parsed off the main thread (the county's report is 15 KB). */
export const WORKER_MIN_BYTES = 256 * 1024;
/** How long a worker may take over one file before it is stopped and the file refused. */
export const PARSE_TIME_LIMIT_MS = 20_000;

export interface ReadOptions {
  /** false: read on this thread whatever the size (the worker itself, tests). */
  worker?: boolean;
  timeLimitMs?: number;
}

/** Parses a report and checks it against its own rules: what `kb parse` shows and the base holds. */
export function readReport(text: string, document: string): { parsed: ParsedReport; findings: Finding[] } {
  const parsed = parseReport(text, document);
  return { parsed, findings: [...parsed.findings, ...validateReport(parsed, document)] };
}

/** Reads, checks and parses bytes already in memory; what the worker runs. */
export async function parseBytes(bytes: Uint8Array, kind: DocumentKind, document: string): Promise<ReadReportResult> {
  const doc = await readDocument(bytes, kind, document);
  if (doc.text === null) return { parsed: null, findings: doc.findings };
  const { parsed, findings } = readReport(doc.text, document);
  return { parsed, findings: [...doc.findings, ...withPages(findings, doc.pageStarts)] };
}

export async function readReportFile(path: string, document: string, options: ReadOptions = {}): Promise<ReadReportResult> {
  const kind = documentKind(path);
  if (kind === null) {
    return { parsed: null, findings: [{ level: 'warning', document, location: path, message: '不是可读取的报告文件类型（.txt、.md、.html、.htm、.pdf、.docx），未读取' }] };
  }
  const source = await readSourceFile(path, document, kind);
  if (!source.ok) return { parsed: null, findings: [source.finding] };
  const offThread = options.worker !== false && (source.size >= WORKER_MIN_BYTES || kind === 'pdf' || kind === 'docx');
  if (!offThread) return parseBytes(source.bytes, kind, document);
  return parseInWorker(source.bytes, kind, document, options.timeLimitMs ?? PARSE_TIME_LIMIT_MS);
}

/** The text a file is read as, before parsing (for `kb parse --text`); on this thread. */
export async function readDocumentText(path: string): Promise<{ text: string | null; findings: Finding[] }> {
  const kind = documentKind(path);
  if (kind === null) return { text: null, findings: [{ level: 'error', document: path, location: path, message: '不是可读取的报告文件类型' }] };
  const source = await readSourceFile(path, path, kind);
  if (!source.ok) return { text: null, findings: [source.finding] };
  return readDocument(source.bytes, kind, path);
}

// The worker runs from the same tree as this module: .ts under tsx (npm start today, vitest),
// .js once compiled by tsc.
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const WORKER_URL = new URL(`./parse-worker${EXT}`, import.meta.url);

/**
 * A .ts worker needs tsx's loader, and on Node 20 `--import tsx` does not reach a worker's own
 * entry module: a small bootstrap registers tsx and then imports the worker. Compiled .js needs
 * neither.
 */
function spawnWorker(workerData: unknown): Worker {
  const options = { workerData, resourceLimits: { maxOldGenerationSizeMb: 1024 }, stdout: false, stderr: false };
  if (EXT !== '.ts') return new Worker(WORKER_URL, options);
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

function parseInWorker(bytes: Uint8Array, kind: DocumentKind, document: string, timeLimitMs: number): Promise<ReadReportResult> {
  const refuse = (message: string): ReadReportResult => ({ parsed: null, findings: [{ level: 'error', document, location: '全文', message }] });
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ReadReportResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    // The heap limit: a runaway parse must not take the process's memory with it.
    const worker = spawnWorker({ bytes, kind, document });
    const timer = setTimeout(() => done(refuse(`读取此文件超过 ${Math.round(timeLimitMs / 1000)} 秒仍未完成，已停止，未读取（文件可能已损坏或过于复杂）`)), timeLimitMs);
    worker.once('message', (result: ReadReportResult) => done(result));
    worker.once('error', (e) => done(refuse(`读取此文件时出错（${String(e).slice(0, 120)}），未读取`)));
    worker.once('exit', (code) => done(refuse(`读取此文件的后台线程意外退出（代码 ${code}），未读取`)));
  });
}
