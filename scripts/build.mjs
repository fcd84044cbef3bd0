// Builds what `npm start` runs: src/ compiled to dist/ ahead of time, so that starting the bot
// transpiles nothing. `npm ci` runs this (package.json "prepare"), and so do `npm run build` and
// `npm test` (pretest), so that the tests of the start command run the current source.
//
// 1. tsc -p tsconfig.build.json: every src/**/*.ts to dist/**/*.js, import specifiers rewritten
//    from .ts to .js, including files no import names (a worker script resolved as
//    `new URL(`./x-worker${extension of import.meta.url}`, import.meta.url)`).
// 2. Every other file under src/ (the pages' HTML, CSS and browser JavaScript, anything read with
//    `new URL(..., import.meta.url)`) copied to the same place under dist/.
// 3. jieba's trimmed dictionary written to its cache, so the first start after `npm ci` does not
//    spend seconds sorting jieba's 349,000 words.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const started = Date.now();

// Stale output of a module since deleted must not linger.
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error(`build: tsc failed (${compiled.error?.message ?? `exit ${compiled.status}`})`);
  process.exit(1);
}

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

let assets = 0;
for (const from of files(src)) {
  if (from.endsWith('.ts')) continue;
  cpSync(from, join(dist, relative(src, from)));
  assets++;
}

// The moment of the build, for the check that dist/ is not older than src/.
writeFileSync(join(dist, 'BUILT'), `${new Date().toISOString()}\n`);

const dictionary = await import(pathToFileURL(join(dist, 'language', 'dictionary.js')).href);
const cached = typeof dictionary.trimmedDictionary === 'function' ? dictionary.trimmedDictionary() : null;

console.log(
  `build: src/ → dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (${assets} assets copied` +
    `${cached ? `, jieba's dictionary cached in ${relative(root, cached)}` : ''})`,
);
