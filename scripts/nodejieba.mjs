// Compiles nodejieba's native module from source; `npm ci` runs this (package.json "prepare").
//
// nodejieba's own install script (`node-pre-gyp install --fallback-to-build`) first downloads a
// prebuilt binary from GitHub, a host CI cannot reach, where the download may hang rather than
// fail. So its install script is not approved (package.json allowScripts) and this script runs the
// same command with --build-from-source: node-pre-gyp then goes straight to node-gyp, which compiles
// against the local Node headers and asks the network for nothing. (build-from-source=true in
// .npmrc did the same through the npm_config_build_from_source variable, but npm warns about that
// key on every command.)
//
//
// One change is made to its source first (sharedTrie below): its load() built jieba's dictionary
// trie twice, once for the segmenter and once more for a TextRank keyword extractor, which the bot
// never uses; the extractor now shares the segmenter's trie, 25 MB less in every process.
//
//   node scripts/nodejieba.mjs           compile unless the module is built (from the changed source) and loads
//   node scripts/nodejieba.mjs --force   compile again (after changing Node versions)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('nodejieba/package.json'));
const binary = join(packageDir, 'build', 'Release', 'nodejieba.node');

function loads() {
  if (!existsSync(binary)) return false;
  try {
    require(binary);
    return true;
  } catch {
    return false; // built for another Node version, or half written
  }
}

/**
 * The running Node's headers when they are installed next to it (Debian's and NodeSource's
 * packages, the official tarballs). Without them, or npm's `nodedir`, node-gyp downloads the
 * headers from nodejs.org.
 */
function localHeaders() {
  if (process.env.npm_config_nodedir) return null;
  const prefix = dirname(dirname(process.execPath));
  try {
    const header = readFileSync(join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name) => header.match(new RegExp(`#define ${name} (\\d+)`))?.[1];
    const version = `v${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
    return version === process.version ? prefix : null;
  } catch {
    return null;
  }
}

/**
 * nodejieba's load() (lib/nodejieba.cpp) builds a cppjieba::Jieba, the segmenter, and then a
 * TextRankExtractor from the same dictionary files, which parses them into a second trie of its
 * own (25 MB for the 80,000 words dictionary.ts loads: 56 MB for load() instead of 31). cppjieba
 * has a TextRankExtractor constructor that uses a Jieba's trie and HMM model; nodejieba's API has
 * no option to ask for it, so its source is changed to call that one. Segmentation is untouched
 * (the segmenter is built as before). Returns true when the source was changed now. Source that
 * reads otherwise (another nodejieba version) is left alone and compiled as it is.
 */
function sharedTrie() {
  const file = join(packageDir, 'lib', 'nodejieba.cpp');
  const source = readFileSync(file, 'utf8');
  const separate = /new cppjieba\s*::TextRankExtractor\(dictPath,\s*modelPath,\s*stopWordsPath,\s*userDictPath\);/;
  if (!separate.test(source)) return false;
  writeFileSync(file, source.replace(separate, '/* gongkai: the segmenter\'s trie, not a second one */ new cppjieba::TextRankExtractor(*_jieba_handle, stopWordsPath);'));
  return true;
}

/** True when the module was compiled before its source last changed (by sharedTrie). */
function staleBinary() {
  return existsSync(binary) && statSync(binary).mtimeMs < statSync(join(packageDir, 'lib', 'nodejieba.cpp')).mtimeMs;
}

const changed = sharedTrie();
if (!process.argv.includes('--force') && !changed && !staleBinary() && loads()) {
  console.log(`nodejieba: ${binary} is built`);
} else {
  const nodePreGyp = createRequire(join(packageDir, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  const args = [nodePreGyp, 'install', '--build-from-source'];
  const headers = localHeaders();
  if (headers) args.push(`--nodedir=${headers}`);
  const from = headers ?? process.env.npm_config_nodedir ?? "node-gyp's cache or nodejs.org";
  console.log(`nodejieba: compiling from source with the Node headers in ${from} (10-60 s)`);
  const started = Date.now();
  // The compiler's chatter is shown only when the build fails.
  const build = spawnSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (build.status !== 0 || !loads()) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
    console.error(`nodejieba: the build failed (${build.error?.message ?? `exit ${build.status}`}); a C++ compiler, make and Python 3 are needed`);
    process.exit(1);
  }
  console.log(`nodejieba: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
