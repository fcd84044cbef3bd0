import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readReport, readReportFile, type ReadOptions } from './report-file.ts';
import { REPORT_EXTENSIONS, readSourceFile } from './readers/source-file.ts';
import { decodeText } from './readers/text.ts';
import { parseGuide } from './guide-parser.ts';
import { parseSynonyms, parseWords, type SynonymTable } from '../language/synonyms.ts';
import { parseLexicon, withAliases, type Lexicon } from '../language/lexicon.ts';
import type { Contacts, Finding, GuideTopic, ParsedReport, Passage, ReportDocument, Source, Statistic } from './types.ts';

/** Everything the bot knows, compiled from the files under the knowledge directory. */
export interface KnowledgeBase {
  dir: string;
  contacts: Contacts;
  topics: GuideTopic[];
  stats: Statistic[];
  passages: Passage[];
  reports: ReportDocument[];
  findings: Finding[];
  words: string[];
  /** synonyms.txt with the lexicon's row and column aliases. */
  synonyms: SynonymTable;
  /** lexicon.txt: how residents name the report format's rows, columns and units. */
  lexicon: Lexicon;
}

export { readReport } from './report-file.ts';

/** Reads one report's text into the shapes the knowledge base holds; errors become findings. */
export function compileReport(text: string, document: string): CompiledReport {
  const { parsed, findings } = readReport(text, document);
  return compileParsed(parsed, findings, document);
}

export interface CompiledReport {
  report: ReportDocument | null;
  stats: Statistic[];
  passages: Passage[];
  findings: Finding[];
}

/** A parsed report as the knowledge base holds it, or null with an error when it has no year or body. */
export function compileParsed(parsed: ParsedReport | null, readFindings: Finding[], document: string): CompiledReport {
  const findings = [...readFindings];
  if (parsed === null) return { report: null, stats: [], passages: [], findings };
  if (parsed.year === null || parsed.body === null) {
    findings.push({
      level: 'error',
      document,
      location: '标题',
      message: `读不出报告的${parsed.year === null ? '年份' : '发布机关'}，此文件未收录`,
    });
    return { report: null, stats: [], passages: [], findings };
  }
  const { year, body } = parsed;
  const title = `${body}${year}年政府信息公开工作年度报告`;
  const source = (section: string): Source => ({ document, title, section, year });
  return {
    report: { document, title, body, year },
    stats: parsed.stats.map((s) => ({ ...s, body, year, source: source(s.section) })),
    passages: parsed.passages.map((p) => ({ ...p, body, year, source: source(p.section) })),
    findings,
  };
}

/** A text file of the directory, or null when it is absent; unreadable ones are findings. */
async function readOptional(path: string, document: string, findings: Finding[]): Promise<string | null> {
  const source = await readSourceFile(path, document, 'text');
  if (!source.ok) {
    if (!source.missing) findings.push(source.finding);
    return null;
  }
  const decoded = decodeText(source.bytes, document);
  findings.push(...decoded.findings);
  return decoded.text;
}

async function listReports(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir, { recursive: true });
    return names.filter((n) => REPORT_EXTENSIONS.test(n) && !n.split(/[\\/]/).some((p) => p.startsWith('.'))).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Why the knowledge directory cannot serve at all, or null: missing, or not a directory. */
async function missingDirectory(dir: string): Promise<string | null> {
  try {
    const st = await stat(dir);
    return st.isDirectory() ? null : `知识目录 ${dir} 不是文件夹`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `知识目录 ${dir} 不存在（请检查 KNOWLEDGE_DIR）` : `无法访问知识目录 ${dir}（${code ?? String(e)}）`;
  }
}

/**
 * Loads the knowledge directory: reports/*, guide.md, words.txt, synonyms.txt, lexicon.txt. Problems in the
 * documents are findings, not exceptions; only an unreadable directory throws.
 */
export async function loadKnowledge(dir: string, options: ReadOptions = {}): Promise<KnowledgeBase> {
  const findings: Finding[] = [];
  const missing = await missingDirectory(dir);
  if (missing) {
    findings.push({ level: 'error', document: dir, location: '知识目录', message: `${missing}：没有任何报告和指南，机器人只能回答“未收录”` });
  }
  const stats: Statistic[] = [];
  const passages: Passage[] = [];
  const reports: ReportDocument[] = [];

  const reportDir = join(dir, 'reports');
  for (const name of await listReports(reportDir)) {
    const path = join(reportDir, name);
    const document = relative(dir, path);
    const read = await readReportFile(path, document, options);
    const compiled = compileParsed(read.parsed, read.findings, document);
    findings.push(...compiled.findings);
    if (!compiled.report) continue;
    const clash = reports.find((r) => r.body === compiled.report!.body && r.year === compiled.report!.year);
    if (clash) {
      findings.push({
        level: 'error',
        document,
        location: '标题',
        message: `与 ${clash.document} 是同一机关同一年度（${clash.body} ${clash.year} 年）的报告，此文件未收录`,
      });
      continue;
    }
    reports.push(compiled.report);
    stats.push(...compiled.stats);
    passages.push(...compiled.passages);
  }
  if (reports.length === 0) {
    findings.push({ level: 'warning', document: 'reports/', location: reportDir, message: '没有可用的年度报告，统计数字类问题将无法回答' });
  }

  let topics: GuideTopic[] = [];
  let contacts: Contacts | null = null;
  const guideText = await readOptional(join(dir, 'guide.md'), 'guide.md', findings);
  if (guideText === null) {
    findings.push({ level: 'warning', document: 'guide.md', location: join(dir, 'guide.md'), message: '没有公开指南，办事类问题将无法回答' });
  } else {
    const guide = parseGuide(guideText, 'guide.md');
    topics = guide.topics;
    contacts = guide.contacts;
    findings.push(...guide.findings);
  }

  const words = parseWords((await readOptional(join(dir, 'words.txt'), 'words.txt', findings)) ?? '');
  const synonymsParsed = parseSynonyms((await readOptional(join(dir, 'synonyms.txt'), 'synonyms.txt', findings)) ?? '', 'synonyms.txt');
  findings.push(...synonymsParsed.findings);
  const lexiconParsed = parseLexicon((await readOptional(join(dir, 'lexicon.txt'), 'lexicon.txt', findings)) ?? '', 'lexicon.txt');
  findings.push(...lexiconParsed.findings);

  const latest = [...reports].sort((a, b) => b.year - a.year)[0];
  return {
    dir,
    contacts: contacts ?? { body: latest?.body ?? '', portal: '', phone: '', note: '' },
    topics,
    stats,
    passages,
    reports,
    findings,
    words,
    synonyms: withAliases(synonymsParsed.table, lexiconParsed.lexicon),
    lexicon: lexiconParsed.lexicon,
  };
}
