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
//   node scripts/nodejieba.mjs           compile unless the module is built and loads
//   node scripts/nodejieba.mjs --force   compile again (after changing Node versions)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

if (!process.argv.includes('--force') && loads()) {
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
