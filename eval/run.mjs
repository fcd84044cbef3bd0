// `npm run eval`: the accuracy gauge. Runs the public question set and the traffic set through
// `ask --jsonl` (score.mjs's default command, `npm run -s cli -- ask --jsonl`) and prints both
// results. The bot gets a temporary DATA_DIR of its own, removed afterwards, so that nothing of the
// gauge reaches a question log (the CLI does not log without --log anyway).
//
//   npm run eval                   both sets: pass rate per group and overall
//   npm run eval -- --verbose      and every failing conversation with its replies
//   npm run eval -- --min 0.9      exit 1 when a set passes fewer than 90% of its conversations
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const SETS = [
  ['public', 'questions.public.jsonl'],
  ['traffic', 'questions.traffic.jsonl'],
];

const dataDir = mkdtempSync(join(tmpdir(), 'gongkai-eval-'));
const results = [];
let failed = false;
try {
  for (const [name, file] of SETS) {
    process.stdout.write(`\n== ${name}: eval/${file}\n`);
    const run = spawnSync(process.execPath, [join(here, 'score.mjs'), join(here, file), ...process.argv.slice(2)], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    process.stdout.write(run.stdout ?? '');
    const line = /^eval: .*$/m.exec(run.stdout ?? '')?.[0] ?? `eval: no result (${run.error?.message ?? `exit ${run.status}`})`;
    results.push(`${name.padEnd(8)} ${line.replace(/^eval: /, '')}`);
    if (run.status !== 0) failed = true;
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(`\n${results.join('\n')}\n`);
process.exit(failed ? 1 : 0);
