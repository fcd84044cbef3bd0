// Opening a document file safely. A knowledge directory is edited by hand and synced by tools:
// a FIFO, a socket or a directory may carry a report's name, and a reload must neither hang on
// it nor fail as a whole. Files are opened non-blocking and checked with fstat on the open
// descriptor (no gap between the check and the read), and their size is bounded before a byte
// is read.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Finding } from '../types.ts';

export type DocumentKind = 'text' | 'html' | 'pdf' | 'docx';

/** Which reader a file name asks for, or null for files that are not documents. */
export function documentKind(name: string): DocumentKind | null {
  const m = /\.([a-z0-9]{1,5})$/i.exec(name);
  switch (m?.[1]?.toLowerCase()) {
    case 'txt': case 'md': return 'text';
    case 'html': case 'htm': return 'html';
    case 'pdf': return 'pdf';
    case 'docx': return 'docx';
    default: return null;
  }
}

export const REPORT_EXTENSIONS = /\.(?:txt|md|html?|pdf|docx)$/i;

/**
 * The largest file of each kind that is read. A yearly report is 10-100 KB as text, a saved
 * portal page with its scripts a few hundred KB, a PDF with a seal and a chart a few MB.
 */
export const MAX_BYTES: Record<DocumentKind, number> = {
  text: 4 * 1024 * 1024,
  html: 8 * 1024 * 1024,
  pdf: 40 * 1024 * 1024,
  docx: 40 * 1024 * 1024,
};

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1)} MB`;

export type SourceFile =
  | { ok: true; bytes: Uint8Array; size: number }
  | { ok: false; finding: Finding; missing?: boolean };

/** The bytes of a regular file within its kind's size limit, or one finding that says why not. */
export async function readSourceFile(path: string, document: string, kind: DocumentKind): Promise<SourceFile> {
  const refuse = (level: Finding['level'], message: string): SourceFile => ({
    ok: false, finding: { level, document, location: path, message },
  });
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return refuse('warning', '这是一个文件夹，不是文件（名字像报告文件），未读取');
    if (code === 'ENOENT') return { ...refuse('warning', '文件在读取前已被删除或移走，未读取'), missing: true } as SourceFile;
    if (code === 'EACCES' || code === 'EPERM') return refuse('error', '没有读取此文件的权限，未读取（请检查文件权限）');
    return refuse('error', `无法打开此文件（${code ?? String(e)}），未读取`);
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) return refuse('warning', '这是一个文件夹，不是文件（名字像报告文件），未读取');
    if (!st.isFile()) return refuse('warning', '这不是普通文件（可能是管道、设备或套接字），未读取');
    if (st.size > MAX_BYTES[kind]) {
      return refuse('error', `文件过大（${mb(st.size)}，此类文件上限 ${mb(MAX_BYTES[kind])}），未读取；年度报告通常不超过几百 KB，请确认放入的是报告本身`);
    }
    const bytes = await handle.readFile();
    if (bytes.length > MAX_BYTES[kind]) return refuse('error', `文件在读取时变大，超过上限 ${mb(MAX_BYTES[kind])}，未读取`);
    return { ok: true, bytes, size: bytes.length };
  } catch (e) {
    return refuse('error', `读取此文件失败（${(e as NodeJS.ErrnoException).code ?? String(e)}），未读取`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
