import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import 'dotenv/config';
import { loadKnowledge } from '../knowledge/knowledge-base.ts';
import { readDocumentText, readReportFile } from '../knowledge/report-file.ts';
import { scoreDirectory } from '../knowledge/report-score.ts';
import { findingsText, groupOf, splitLocation } from '../knowledge/findings-report.ts';
import { createBot, type RunningBot } from '../answer/bot.ts';
import { createLogger } from '../log.ts';
import type { Finding } from '../knowledge/types.ts';
import { registerStats } from '../admin/stats-command.ts';

const knowledgeDir = () => process.env.KNOWLEDGE_DIR || 'knowledge';
const dataDir = () => process.env.DATA_DIR || 'data';
const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Staff trying questions and `npm run eval` are not residents: unless `log` is set, the bot gets a
 * temporary DATA_DIR, removed afterwards, so their questions never reach the question log, the
 * stats or the admin page. With `log`, the configured DATA_DIR, as the running bot uses it.
 */
async function withBot<T>(run: (bot: RunningBot) => Promise<T>, options: { log?: boolean } = {}): Promise<T> {
  // Logs go to stderr: stdout carries only replies (and JSON lines for --jsonl).
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const scratch = options.log ? null : await mkdtemp(join(tmpdir(), 'gongkai-cli-'));
  const bot = await createBot({ knowledgeDir: knowledgeDir(), dataDir: scratch ?? dataDir(), logger, salt: process.env.DATA_SALT, rateLimit: false });
  try {
    return await run(bot);
  } finally {
    await bot.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

const LOG_OPTION = ['--log', '把提问记入 DATA_DIR 的提问记录（计入统计）；默认不记录'] as const;

function findingLine(f: Finding): string {
  const tag = f.level === 'error' ? '错误' : f.level === 'warning' ? '警告' : '提示';
  return `[${tag}] ${f.document} ${f.location}：${f.message}`;
}

const program = new Command('gongkai').description('公开问答：政府信息公开问答机器人').showHelpAfterError();
const kb = program.command('kb').description('知识库：解析与检查');

kb.command('parse')
  .argument('<file>', '年度报告文件（.txt、.md、.html、.htm、.pdf、.docx）')
  .option('--json', '输出 JSON')
  .option('--text', '只输出从文件中读出的文本（表格为制表符分隔的行），即解析器所读的内容')
  .description('解析一份年度报告，列出读到的数字、段落和问题')
  .action(async (file: string, opts: { json?: boolean; text?: boolean }) => {
    if (opts.text) {
      const read = await readDocumentText(file);
      if (read.text !== null) process.stdout.write(read.text.endsWith('\n') ? read.text : `${read.text}\n`);
      for (const f of read.findings) process.stderr.write(`${findingLine(f)}\n`);
      process.exitCode = read.text === null ? 1 : 0;
      return;
    }
    const { parsed, findings } = await readReportFile(file, file);
    if (opts.json) {
      out(
        JSON.stringify({
          year: parsed?.year ?? null,
          body: parsed?.body ?? null,
          format: parsed?.format ?? 'unknown',
          stats: (parsed?.stats ?? []).map(({ section, article, item, group, column, value, unit, kind, raw, line }) => ({ section, article, item, group, column, value, unit, kind, raw, line })),
          passages: parsed?.passages ?? [],
          findings,
        }),
      );
      process.exitCode = parsed === null ? 1 : 0;
      return;
    }
    if (parsed === null) {
      out(`${file}：无法读取`);
      for (const f of findings) out(findingLine(f));
      process.exitCode = 1;
      return;
    }
    out(`${parsed.body ?? '（未知机关）'} ${parsed.year ?? '（未知年份）'} 年度报告（${parsed.format} 格式）`);
    for (const s of parsed.stats) out(`  ${s.section} ${s.article ?? ''} ${s.group ? s.group + '·' : ''}${s.item}${s.column ? ' / ' + s.column : ''} = ${s.raw}`);
    out(`段落 ${parsed.passages.length} 段`);
    for (const f of findings) out(findingLine(f));
  });

kb.command('check')
  .option('--json', '输出 JSON')
  .description('检查知识目录下所有文件；只有文件无法解析时才以非零状态退出')
  .action(async (opts: { json?: boolean }) => {
    const loaded = await loadKnowledge(knowledgeDir());
    const documents = [
      ...loaded.reports.map((r) => ({ document: r.document, kind: 'report', title: r.title, year: r.year, body: r.body, stats: loaded.stats.filter((s) => s.source.document === r.document).length })),
      { document: 'guide.md', kind: 'guide', topics: loaded.topics.length },
    ];
    const failed = loaded.findings.some((f) => f.level === 'error');
    if (opts.json) {
      out(JSON.stringify({ documents, findings: loaded.findings.map((f) => ({ ...f, group: groupOf(f), ...splitLocation(f.location) })) }));
    } else {
      out('收录的文件：');
      for (const d of documents) out(`  ${d.document}：${'title' in d ? `${d.title}，${d.stats} 个数字` : `${d.topics} 个主题`}`);
      for (const line of findingsText(loaded.findings)) out(line);
      const errors = loaded.findings.filter((f) => f.level === 'error').length;
      const action = loaded.findings.filter((f) => groupOf(f) === 'action').length;
      out(`共 ${loaded.findings.length} 条：需要处理 ${action} 条${errors ? `（其中 ${errors} 条使文件未被收录；改正前，运行中的机器人不会载入任何改动）` : ''}，供参考 ${loaded.findings.length - action} 条`);
    }
    process.exitCode = failed ? 1 : 0;
  });

kb.command('score')
  .argument('<dir>', '文件夹：NAME.txt（或 .html/.pdf/.docx）与人工核对的 NAME.expect.json')
  .option('--json', '输出 JSON')
  .option('--verbose', '列出每个未读到或读错的数字')
  .description('按人工核对的数字给解析器打分：读对、读错（记在错误的列下）、未读到')
  .action(async (dir: string, opts: { json?: boolean; verbose?: boolean }) => {
    const scores = await scoreDirectory(dir);
    const total = { found: 0, wrong: 0, missing: 0 };
    for (const s of scores) {
      total.found += s.found;
      total.wrong += s.wrong;
      total.missing += s.missing;
    }
    if (opts.json) {
      out(JSON.stringify({ ...total, reports: scores }));
    } else {
      for (const s of scores) {
        const year = s.year.expected !== null && s.year.expected !== s.year.got ? `  年份 ${s.year.got ?? '未读出'}（应为 ${s.year.expected}）` : '';
        out(`${s.name}：读对 ${s.found}，读错 ${s.wrong}，未读到 ${s.missing}${year}`);
        if (opts.verbose) {
          for (const f of s.figures.filter((x) => x.verdict !== 'found')) {
            out(`    ${f.verdict === 'wrong' ? '读错' : '未读到'} ${f.item} / ${f.column} = ${f.value}${f.got ? `（该行读到 ${f.got}）` : ''}`);
          }
        }
      }
      const all = total.found + total.wrong + total.missing;
      out(`合计 ${all} 个数字：读对 ${total.found}（${all ? ((100 * total.found) / all).toFixed(1) : 0}%），读错 ${total.wrong}，未读到 ${total.missing}`);
    }
    process.exitCode = total.wrong > 0 ? 1 : 0;
  });

kb.command('build')
  .description('编译知识库并报告规模（知识库在启动时编译，无需预先构建）')
  .action(async () => {
    const loaded = await loadKnowledge(knowledgeDir());
    out(`报告 ${loaded.reports.length} 份，数字 ${loaded.stats.length} 个，段落 ${loaded.passages.length} 段，指南主题 ${loaded.topics.length} 个，发现 ${loaded.findings.length} 条`);
  });

program
  .command('ask')
  .argument('[question...]', '问题')
  .option('--jsonl', '从标准输入逐行读取 {"id","user","q"}，逐行输出回答 JSON')
  .option('--user <id>', '用户标识（用于会话）', 'cli')
  .option('--explain', '显示分词和匹配得分（命中测试）')
  .option(...LOG_OPTION)
  .description('提问')
  .action(async (words: string[], opts: { jsonl?: boolean; user: string; explain?: boolean; log?: boolean }) => {
    await withBot(async (bot) => {
      if (opts.explain) {
        // The band and reason are those of the reply itself (Engine.explain), printed with it.
        const e = bot.engine.explain(words.join(' '));
        out(`词：${e.terms.join(' / ')}\n区间：${e.band}（按得分：${e.scoreBand}）\n原因：${e.reason}`);
        for (const h of e.hits) out(`  ${h.score.toFixed(3)}  ${h.id}  ${h.question}`);
        out(`回答（${e.answer.intent}，answered=${e.answer.answered}）：\n${e.answer.reply}`);
        return;
      }
      if (!opts.jsonl) {
        const answer = await bot.answer(words.join(' '), opts.user, { channel: 'cli' });
        out(answer.reply);
        return;
      }
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        if (!line.trim()) continue;
        let id: unknown = null;
        try {
          const input = JSON.parse(line) as { id?: unknown; user?: unknown; q?: unknown };
          id = input.id ?? null;
          if (typeof input.q !== 'string') throw new Error('字段 "q" 必须是字符串');
          const a = await bot.answer(input.q, typeof input.user === 'string' ? input.user : 'cli', { channel: 'cli' });
          out(JSON.stringify({ id, reply: a.reply, answered: a.answered, intent: a.intent, confidence: a.confidence, sources: a.sources }));
        } catch (e) {
          out(JSON.stringify({ id, error: e instanceof SyntaxError ? `不是 JSON：${line.slice(0, 80)}` : (e as Error).message }));
        }
      }
    }, opts);
  });

program
  .command('chat')
  .description('在终端里对话')
  .option(...LOG_OPTION)
  .action(async (opts: { log?: boolean }) => {
    await withBot(async (bot) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '你：' });
      out(bot.welcome());
      rl.prompt();
      for await (const line of rl) {
        if (/^(exit|quit|退出)$/i.test(line.trim())) break;
        const answer = await bot.answer(line, 'cli-chat', { channel: 'cli' });
        out(`助手：${answer.reply}\n`);
        rl.prompt();
      }
      rl.close();
    }, opts);
  });

registerStats(program, { dataDir, knowledgeDir });

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`错误：${(e as Error).message}\n`);
  process.exitCode = 2;
});
