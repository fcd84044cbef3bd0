import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import 'dotenv/config';
import { loadKnowledge, readReport } from '../knowledge/knowledge-base.ts';
import { createBot, type RunningBot } from '../answer/bot.ts';
import { createLogger } from '../log.ts';
import type { Finding } from '../knowledge/types.ts';
import { registerStats } from '../admin/stats-command.ts';

const knowledgeDir = () => process.env.KNOWLEDGE_DIR || 'knowledge';
const dataDir = () => process.env.DATA_DIR || 'data';
const out = (line: string) => process.stdout.write(`${line}\n`);

async function withBot<T>(run: (bot: RunningBot) => Promise<T>): Promise<T> {
  // Logs go to stderr: stdout carries only replies (and JSON lines for --jsonl).
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const bot = await createBot({ knowledgeDir: knowledgeDir(), dataDir: dataDir(), logger, salt: process.env.DATA_SALT, rateLimit: false });
  try {
    return await run(bot);
  } finally {
    await bot.close();
  }
}

function findingLine(f: Finding): string {
  const tag = f.level === 'error' ? '错误' : f.level === 'warning' ? '警告' : '提示';
  return `[${tag}] ${f.document} ${f.location}：${f.message}`;
}

const program = new Command('gongkai').description('公开问答：政府信息公开问答机器人').showHelpAfterError();
const kb = program.command('kb').description('知识库：解析与检查');

kb.command('parse')
  .argument('<file>', '年度报告文本文件')
  .option('--json', '输出 JSON')
  .description('解析一份年度报告，列出读到的数字、段落和问题')
  .action(async (file: string, opts: { json?: boolean }) => {
    const text = await readFile(file, 'utf8');
    const { parsed, findings } = readReport(text, file);
    if (opts.json) {
      out(
        JSON.stringify({
          year: parsed.year,
          body: parsed.body,
          format: parsed.format,
          stats: parsed.stats.map(({ section, article, item, group, column, value, unit, kind, raw, line }) => ({ section, article, item, group, column, value, unit, kind, raw, line })),
          passages: parsed.passages,
          findings,
        }),
      );
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
    if (opts.json) out(JSON.stringify({ documents, findings: loaded.findings }));
    else {
      for (const d of documents) out(`${d.document}：${'title' in d ? `${d.title}，${d.stats} 个数字` : `${d.topics} 个主题`}`);
      for (const f of loaded.findings) out(findingLine(f));
      out(`共 ${loaded.findings.length} 条发现（错误 ${loaded.findings.filter((f) => f.level === 'error').length} 条）`);
    }
    process.exitCode = failed ? 1 : 0;
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
  .description('提问')
  .action(async (words: string[], opts: { jsonl?: boolean; user: string; explain?: boolean }) => {
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
    });
  });

program
  .command('chat')
  .description('在终端里对话')
  .action(async () => {
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
    });
  });

registerStats(program, { dataDir, knowledgeDir });

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`错误：${(e as Error).message}\n`);
  process.exitCode = 2;
});
