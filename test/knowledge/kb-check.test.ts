// Issue 12 point 4: `kb check` for people, and `kb score` for the coordinator, as real processes.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const exec = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', 'src/channels/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    return { stdout, code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; code?: number };
    return { stdout: err.stdout ?? '', code: err.code ?? 1 };
  }
}

describe('kb check', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kb-check-'));
    await cp(path.join(ROOT, 'knowledge'), dir, { recursive: true });
    // Test data: a PDF that cannot be read, and a report with a blank cell read as 0.
    await cp(path.join(ROOT, 'test/fixtures/reports/published/fictional-scanned.pdf'), path.join(dir, 'reports/2022-扫描件.pdf'));
    await cp(path.join(ROOT, 'test/fixtures/reports/layouts/pipes-and-fillers.txt'), path.join(dir, 'reports/2021-白河镇人民政府.txt'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('groups the findings into 需要处理 and 供参考, with document, section and row', async () => {
    const { stdout, code } = await cli(['kb', 'check'], { KNOWLEDGE_DIR: dir });
    expect(code).toBe(1);
    const action = stdout.slice(stdout.indexOf('需要处理（'), stdout.indexOf('供参考（'));
    const info = stdout.slice(stdout.indexOf('供参考（'));
    expect(action).toMatch(/reports\/2022-扫描件\.pdf\n\s+- 【未收录】.*PDF 中没有可读取的文字/);
    expect(action).toMatch(/reports\/2019-西吉县人民政府\.txt\n(?:\s+- .*\n)*\s+- 三、收到和处理政府信息公开申请情况 · （七）总计 \/ 自然人 · 第 76 行：（七）总计 \/ 自然人 为 0，但办理结果各项之和为 10/);
    expect(info).toMatch(/reports\/2021-白河镇人民政府\.txt\n(?:\s+- .*\n)*\s+- 二、主动公开政府信息情况 · 第 \d+ 行：第二十条第（一）项中空白的格按 0 计：行政规范性文件\/本年废止件数/);
    expect(action).not.toContain('空白的格按 0 计');
    expect(stdout).toMatch(/共 \d+ 条：需要处理 \d+ 条（其中 1 条使文件未被收录/);
  });

  it('keeps its JSON shape, with the group, section and row added', async () => {
    const { stdout } = await cli(['kb', 'check', '--json'], { KNOWLEDGE_DIR: dir });
    const report = JSON.parse(stdout) as { documents: unknown[]; findings: Array<Record<string, string>> };
    expect(Object.keys(report)).toEqual(['documents', 'findings']);
    const contradiction = report.findings.find((f) => f.message?.includes('办理结果各项之和为 10'));
    expect(contradiction).toMatchObject({ level: 'warning', document: 'reports/2019-西吉县人民政府.txt', group: 'action', section: '三、收到和处理政府信息公开申请情况', place: '第 76 行' });
    expect(report.findings.find((f) => f.message?.includes('空白的格按 0 计'))?.group).toBe('info');
  });
});

describe('kb score', { timeout: 60_000 }, () => {
  it('prints found, wrong and missing for a directory of NAME.txt + NAME.expect.json, and exits non-zero on a wrong one', async () => {
    const ok = await cli(['kb', 'score', 'test/fixtures/reports/layouts']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/合计 133 个数字：读对 133（100\.0%），读错 0，未读到 0/);
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-score-'));
    await cp(path.join(ROOT, 'test/fixtures/reports/layouts/split-headers.txt'), path.join(dir, 'a.txt'));
    // Expected figures that differ from what is printed: one under its own label, one shifted.
    await writeFile(path.join(dir, 'a.expect.json'), JSON.stringify({ year: 2020, stats: [['行政许可', '处理决定数量', 16], ['规范性文件', '本年新制作数量', 6], ['行政强制', '处理决定数量', 3]] }));
    const bad = await cli(['kb', 'score', dir, '--verbose']);
    await rm(dir, { recursive: true, force: true });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('a：读对 0，读错 2，未读到 1');
    expect(bad.stdout).toContain('读错 行政许可 / 处理决定数量 = 16（该行读到 上一年项目数量=12, 处理决定数量=15）');
  });
});
