import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseReport } from './report-parser.ts';
import { validateReport } from './validate.ts';
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

const REPORT_FILE = /\.(txt|md)$/i;

/** Parses a report and checks it against its own rules: what `kb parse` shows and the base holds. */
export function readReport(text: string, document: string): { parsed: ParsedReport; findings: Finding[] } {
  const parsed = parseReport(text, document);
  return { parsed, findings: [...parsed.findings, ...validateReport(parsed, document)] };
}

/** Reads one report file into the shapes the knowledge base holds; errors become findings. */
export function compileReport(text: string, document: string): {
  report: ReportDocument | null;
  stats: Statistic[];
  passages: Passage[];
  findings: Finding[];
} {
  const { parsed, findings } = readReport(text, document);
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

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function listReports(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir, { recursive: true });
    return names.filter((n) => REPORT_FILE.test(n) && !n.split(/[\\/]/).some((p) => p.startsWith('.'))).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * Loads the knowledge directory: reports/*, guide.md, words.txt, synonyms.txt, lexicon.txt. Problems in the
 * documents are findings, not exceptions; only an unreadable directory throws.
 */
export async function loadKnowledge(dir: string): Promise<KnowledgeBase> {
  const findings: Finding[] = [];
  const stats: Statistic[] = [];
  const passages: Passage[] = [];
  const reports: ReportDocument[] = [];

  const reportDir = join(dir, 'reports');
  for (const name of await listReports(reportDir)) {
    const path = join(reportDir, name);
    const document = relative(dir, path);
    const compiled = compileReport(await readFile(path, 'utf8'), document);
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
  const guideText = await readOptional(join(dir, 'guide.md'));
  if (guideText === null) {
    findings.push({ level: 'warning', document: 'guide.md', location: join(dir, 'guide.md'), message: '没有公开指南，办事类问题将无法回答' });
  } else {
    const guide = parseGuide(guideText, 'guide.md');
    topics = guide.topics;
    contacts = guide.contacts;
    findings.push(...guide.findings);
  }

  const words = parseWords((await readOptional(join(dir, 'words.txt'))) ?? '');
  const synonymsParsed = parseSynonyms((await readOptional(join(dir, 'synonyms.txt'))) ?? '', 'synonyms.txt');
  findings.push(...synonymsParsed.findings);
  const lexiconParsed = parseLexicon((await readOptional(join(dir, 'lexicon.txt'))) ?? '', 'lexicon.txt');
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
