// The knowledge directory as it would be after an edit, for loadKnowledge to read: a temporary
// directory holding the edited file and, for everything else, links to the real files (reports
// are not copied: a county may keep a hundred of them).
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadKnowledge, type KnowledgeBase } from '../knowledge/knowledge-base.ts';

export async function withCandidate<T>(dir: string, file: string, bytes: Buffer, use: (candidateDir: string) => Promise<T>): Promise<T> {
  const root = path.resolve(dir);
  const candidate = await mkdtemp(path.join(tmpdir(), 'gongkai-candidate-'));
  try {
    for (const entry of await readdir(root, { withFileTypes: true })) {
      if (entry.name === file) continue;
      await symlink(path.join(root, entry.name), path.join(candidate, entry.name), entry.isDirectory() ? 'dir' : 'file');
    }
    await writeFile(path.join(candidate, file), bytes, { mode: 0o600 });
    return await use(candidate);
  } finally {
    await rm(candidate, { recursive: true, force: true });
  }
}

/** The knowledge base the bot would serve after writing `bytes` to `file` in `dir`. */
export function candidateKnowledge(dir: string, file: string, bytes: Buffer): Promise<KnowledgeBase> {
  return withCandidate(dir, file, bytes, loadKnowledge);
}
