// Preloaded into a bot under test (NODE_OPTIONS=--import=<this file>): every ES module the process
// loads, and every package imported from one, is appended to LOADED_MODULES_FILE as it is loaded,
// so that a test can read what the process had loaded at any moment (e.g. when it first answered).
// The hook runs on node's loader thread; appending a line at a time keeps the file whole enough to
// read while the process runs.
import { register } from 'node:module';

const file = process.env.LOADED_MODULES_FILE;
if (file) {
  const hook = `
    import { appendFileSync } from 'node:fs';
    let file;
    export function initialize(data) { file = data.file; }
    export async function load(url, context, next) {
      const result = await next(url, context);
      appendFileSync(file, url + '\\n');
      return result;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { file } });
}
