// The command line as other tools use it: real processes, real stdout.
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/knowledge.ts';

const run = promisify(execFile);
const SEED = 'knowledge/reports/2019-西吉县人民政府.txt';

async function cli(args: string[], input?: string, env: Record<string, string> = {}): Promise<{ stdout: string; code: number; dataDir: string }> {
  const dataDir = env.DATA_DIR ?? (await tempDir());
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/channels/cli.ts', ...args], {
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, code: code ?? -1, dataDir }));
    child.stdin.end(input ?? '');
  });
}

describe('kb parse', { timeout: 60_000 }, () => {
  it('reads every table of the seed with its row and column labels', async () => {
    const { stdout, code } = await cli(['kb', 'parse', SEED, '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { year: number; body: string; stats: Array<{ section: string; article: string | null; item: string; column: string; value: number; unit: string | null }>; findings: unknown[] };
    expect(parsed.year).toBe(2019);
    expect(parsed.body).toBe('西吉县人民政府');
    const value = (item: string, column: string) => parsed.stats.filter((s) => s.item === item && s.column === column).map((s) => s.value);
    expect(value('规范性文件', '本年新制作数量')).toEqual([4]);
    expect(value('行政许可', '处理决定数量')).toEqual([80639]);
    expect(value('其他对外管理服务事项', '本年增/减')).toEqual([113]);
    expect(value('行政处罚', '本年增/减')).toEqual([-14]);
    expect(value('行政强制', '上一年项目数量')).toEqual([19]);
    expect(value('行政事业性收费', '本年增/减')).toEqual([4]);
    expect(parsed.stats.find((s) => s.item === '政府集中采购' && s.column === '采购总金额')).toMatchObject({ value: 33.99, unit: '万元', article: '第二十条第（九）项' });
    expect(value('一、本年新收政府信息公开申请数量', '自然人')).toEqual([10]);
    expect(value('一、本年新收政府信息公开申请数量', '商业企业')).toEqual([0]);
    expect(value('（一）予以公开', '总计')).toEqual([10]);
    expect(value('（七）总计', '总计')).toEqual([0]);
    expect(value('行政复议', '总计')).toEqual([0]);
    expect(parsed.stats.find((s) => s.item === '政府门户网站共发布信息')).toMatchObject({ value: 3612, column: '' });
    expect(parsed.stats.find((s) => s.item === '政府门户网站浏览量')).toMatchObject({ value: 547897 });
  });
});

describe('kb check', { timeout: 60_000 }, () => {
  it('reports the inconsistent total and the section 四 cell count, and exits 0', async () => {
    const { stdout, code } = await cli(['kb', 'check', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { documents: Array<{ document: string }>; findings: Array<{ level: string; document: string; location: string; message: string }> };
    expect(report.documents.map((d) => d.document)).toContain('guide.md');
    const messages = report.findings.map((f) => `${f.location} ${f.message}`).join('\n');
    expect(messages).toMatch(/（七）总计.*为 0，但办理结果各项之和为 10/);
    expect(messages).toMatch(/16 个数值，而表头只有 15 列/);
  });

  it('exits non-zero when a document cannot be used', async () => {
    const dir = await tempDir('gongkai-kb-broken-');
    await run('cp', ['-r', 'knowledge/.', dir]);
    await run('sh', ['-c', `printf '没有年份的文件\\n' > "${dir}/reports/broken.txt"`]);
    const { code, stdout } = await cli(['kb', 'check'], undefined, { KNOWLEDGE_DIR: dir });
    expect(code).not.toBe(0);
    expect(stdout).toContain('broken.txt');
  });
});

describe('ask', { timeout: 60_000 }, () => {
  it('prints the reply to one question', async () => {
    const { stdout, code } = await cli(['ask', '2019年行政处罚有多少件？']);
    expect(code).toBe(0);
    expect(stdout).toContain('1271');
  });

  it('answers JSON lines in order, one line per input, nothing else on stdout, sessions per user', async () => {
    const input = [
      { id: 'a#0', user: 'ua', q: '2019年行政处罚有多少' },
      { id: 'b#0', user: 'ub', q: '你好' },
      { id: 'a#1', user: 'ua', q: '那行政强制呢' },
    ]
      .map((l) => JSON.stringify(l))
      .concat(['not json'])
      .join('\n');
    const { stdout, code } = await cli(['ask', '--jsonl'], `${input}\n`);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.id)).toEqual(['a#0', 'b#0', 'a#1', null]);
    expect(lines[0]).toMatchObject({ answered: true, intent: 'statistic' });
    expect(Object.keys(lines[0]!).sort()).toEqual(['answered', 'confidence', 'id', 'intent', 'reply', 'sources']);
    expect(lines[1]).toMatchObject({ answered: false, intent: 'greeting' });
    expect(String(lines[2]!.reply)).toContain('16');
    expect(lines[3]!.error).toMatch(/不是 JSON/);
  });
});

describe('the question log', { timeout: 60_000 }, () => {
  const logged = async (dataDir: string) => {
    const names = await readdir(dataDir);
    return names.includes('questions.jsonl') ? (await readFile(`${dataDir}/questions.jsonl`, 'utf8')).trim().split('\n').filter(Boolean) : [];
  };

  it('is not written by ask, ask --jsonl or chat: nothing at all lands in DATA_DIR', async () => {
    const runs = [
      [['ask', '2019年行政处罚有多少件？'], undefined],
      [['ask', '--jsonl'], '{"id":"1","user":"u","q":"申请要多久"}\n'],
      [['chat'], '网址是多少\n退出\n'],
    ] as const;
    const results = await Promise.all(runs.map(([args, input]) => cli([...args], input)));
    for (const [i, { stdout, code, dataDir }] of results.entries()) {
      const what = runs[i]![0].join(' ');
      expect(code, what).toBe(0);
      expect(stdout.length, what).toBeGreaterThan(10);
      expect(await readdir(dataDir), what).toEqual([]);
    }
  });

  it('is written with --log, to the configured DATA_DIR, as the running bot writes it', async () => {
    const [ask, chat, jsonl] = await Promise.all([
      cli(['ask', '--log', '2019年行政处罚有多少件？']),
      cli(['chat', '--log'], '网址是多少\n退出\n'),
      cli(['ask', '--jsonl', '--log'], '{"id":"1","user":"u","q":"申请要多久"}\n{"id":"2","user":"u","q":"要钱吗"}\n'),
    ]);
    expect(ask.stdout).toContain('1271');
    const records = (await logged(ask.dataDir)).map((l) => JSON.parse(l) as { question?: string; channel?: string });
    expect(records).toEqual([expect.objectContaining({ question: '2019年行政处罚有多少件？', channel: 'cli' })]);
    expect(await logged(chat.dataDir)).toHaveLength(1);
    expect(await logged(jsonl.dataDir)).toHaveLength(2);
  });
});
