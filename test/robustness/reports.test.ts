// Issue 6.3: test/knowledge/report-parser.test.ts already fuzzes parseReport with random text and
// with line-level mutations of the real 2019 report. What it leaves out, added here: the other
// layouts (markdown tables, one cell per line, full width, page breaks, the 2021 format) mutated
// at character level too, and the rest of the start-up path: a damaged report that staff dropped
// into knowledge/ must still compile, build an engine and let it answer.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/answer/engine.ts';
import { MAX_REPLY } from '../../src/answer/compose.ts';
import { compileReport, loadKnowledge, type KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { parseReport } from '../../src/knowledge/report-parser.ts';
import { KNOWLEDGE_DIR, ROOT, TODAY } from './helpers/knowledge.ts';

const FIXTURE_DIR = path.join(ROOT, 'test/fixtures/reports');
const REPORTS: Array<{ name: string; text: string }> = [
  ...(readdirSync(FIXTURE_DIR, { recursive: true }) as string[])
    .filter((name) => /\.(?:txt|md)$/.test(name) && !name.endsWith('README.md'))
    .map((name) => ({ name, text: readFileSync(path.join(FIXTURE_DIR, name), 'utf8') })),
  { name: '2020-fictional.txt', text: readFileSync(path.join(ROOT, 'test/fixtures/knowledge/reports/2020-fictional.txt'), 'utf8') },
];

type Op =
  | { kind: 'drop' | 'dup' | 'swap' | 'truncate' | 'deleteChar' | 'tabs'; at: number; pos: number }
  | { kind: 'insert'; at: number; pos: number; text: string }
  | { kind: 'digits'; at: number; digit: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('drop', 'dup', 'swap', 'truncate', 'deleteChar', 'tabs'), at: fc.nat(), pos: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    pos: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.string({ unit: 'binary', maxLength: 3 }),
      fc.constantFrom('\t', '|', '\n', '\r', '\f', '　', '（', '）', '、', '。', '-', '－', '万元', '多', '%', '１２', '二、', '（七）总计', '\u0000', '\ud800'),
    ),
  }),
  fc.record({ kind: fc.constant('digits' as const), at: fc.nat(), digit: fc.constantFrom('0', '9', '-1', '１', '999999999999', '1.5', '', 'x') }),
);

/** Applies edits a hand-edited or badly exported file shows: lost, doubled and swapped lines, stray characters. */
function mutate(text: string, ops: Op[]): string {
  let lines = text.split('\n');
  for (const o of ops) {
    if (lines.length === 0) break;
    const i = o.at % lines.length;
    const line = lines[i] ?? '';
    switch (o.kind) {
      case 'drop':
        lines.splice(i, 1);
        break;
      case 'dup':
        lines.splice(i, 0, line);
        break;
      case 'swap': {
        const j = o.pos % lines.length;
        [lines[i], lines[j]] = [lines[j] ?? '', line];
        break;
      }
      case 'truncate':
        lines = lines.slice(0, i + 1);
        lines[i] = line.slice(0, o.pos % (line.length + 1));
        break;
      case 'deleteChar': {
        const p = o.pos % (line.length + 1);
        lines[i] = line.slice(0, p) + line.slice(p + 1);
        break;
      }
      case 'tabs':
        lines[i] = o.pos % 2 ? line.replaceAll('\t', ' ') : line.replace(/ +/g, '\t');
        break;
      case 'insert': {
        const p = o.pos % (line.length + 1);
        lines[i] = line.slice(0, p) + o.text + line.slice(p);
        break;
      }
      case 'digits':
        lines[i] = line.replace(/\d+/, o.digit);
        break;
    }
  }
  return lines.join('\n');
}

const mutated = fc.record({ report: fc.constantFrom(...REPORTS), ops: fc.array(op, { minLength: 1, maxLength: 10 }) }).map(({ report, ops }) => ({
  name: report.name,
  text: mutate(report.text, ops),
}));

describe('parseReport and compileReport on mutated reports of every layout', () => {
  it('never throw, and every figure read is a finite number on a line of the file', () => {
    fc.assert(
      fc.property(mutated, ({ name, text }) => {
        const lines = text.split(/\r\n|\n|\r/).length;
        const parsed = parseReport(text, name);
        for (const s of parsed.stats) {
          expect(Number.isFinite(s.value)).toBe(true);
          expect(s.line >= 1 && s.line <= lines).toBe(true);
        }
        const compiled = compileReport(text, `reports/${name}`);
        expect(compiled.report === null || Number.isInteger(compiled.report.year)).toBe(true);
        if (compiled.report === null) expect(compiled.stats).toEqual([]);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('a knowledge base with a damaged report', () => {
  let base: KnowledgeBase;
  beforeAll(async () => {
    base = await loadKnowledge(KNOWLEDGE_DIR);
  }, 120_000);

  it('still builds an engine that answers', () => {
    const questions = ['2019年行政处罚有多少件', '2020年收到多少申请', '那2021年呢', '详细', '怎么申请政府信息公开', '1'];
    fc.assert(
      fc.property(mutated, ({ name, text }) => {
        const compiled = compileReport(text, `reports/${name}`);
        const kb: KnowledgeBase = {
          ...base,
          reports: [...base.reports, ...(compiled.report ? [compiled.report] : [])],
          stats: [...base.stats, ...compiled.stats],
          passages: [...base.passages, ...compiled.passages],
          findings: [...base.findings, ...compiled.findings],
        };
        const engine = new Engine(kb, () => TODAY);
        let session;
        for (const q of questions) {
          const { answer, session: next } = engine.respond(q, session);
          expect(answer.reply.trim().length).toBeGreaterThan(0);
          expect(answer.reply.length).toBeLessThanOrEqual(MAX_REPLY);
          session = next;
        }
      }),
      // Building an engine takes ~0.2 s (the index over every entry): few runs, each a whole start-up.
      { numRuns: 20 },
    );
  }, 60_000);
}, 120_000);
