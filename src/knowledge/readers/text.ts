// Bytes → text for .txt/.md, with the content check that comes before any parsing: a PDF, Word
// file or picture saved under a .txt name, or text in the legacy GB18030/GBK encoding that
// Windows Notepad and many portals still produce. Linear in the size; never throws.
import type { Finding } from '../types.ts';

export interface Decoded {
  text: string | null;
  findings: Finding[];
}

/** Leading bytes of the binary formats a clerk is most likely to save under the wrong name. */
const MAGIC: Array<{ bytes: number[]; what: string }> = [
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'PDF 文件（请把扩展名改为 .pdf）' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'Word（.docx）或压缩包（.docx 请把扩展名改为 .docx）' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: '旧版 Word（.doc）或 Excel 文件（请另存为 .docx 或文本）' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'PNG 图片' },
  { bytes: [0xff, 0xd8, 0xff], what: 'JPEG 图片' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'GIF 图片' },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: 'RAR 压缩包' },
  { bytes: [0x1f, 0x8b], what: 'gzip 压缩包' },
];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** What binary format the bytes are in, by their magic number, or null. */
export function binaryFormat(bytes: Uint8Array): string | null {
  return MAGIC.find((m) => startsWith(bytes, m.bytes))?.what ?? null;
}

function decode(bytes: Uint8Array, encoding: string): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/** Control characters that text never holds (tab, line and page breaks excepted). */
function controlShare(text: string): number {
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x0b) || c === 0x7f || c === 0xfffd) bad++;
  }
  return text.length === 0 ? 0 : bad / text.length;
}

/** Share of characters that are CJK, ASCII letters, digits or common punctuation. */
function textShare(text: string): number {
  let good = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x3000 && c <= 0x9fff) || (c >= 0xff00 && c <= 0xffef)) good++;
  }
  return text.length === 0 ? 1 : good / text.length;
}

/**
 * The text of a .txt/.md file: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030. A file
 * that is none of these, or holds binary content, is refused with one finding naming what it
 * seems to be.
 */
export function decodeText(bytes: Uint8Array, document: string): Decoded {
  const refuse = (message: string): Decoded => ({ text: null, findings: [{ level: 'error', document, location: '全文', message }] });
  const format = binaryFormat(bytes);
  if (format) return refuse(`这不是文本文件，而是${format}，未读取`);
  let text: string | null = null;
  const findings: Finding[] = [];
  if (startsWith(bytes, [0xff, 0xfe])) text = decode(bytes, 'utf-16le');
  else if (startsWith(bytes, [0xfe, 0xff])) text = decode(bytes, 'utf-16be');
  else {
    text = decode(bytes, 'utf-8');
    if (text === null) {
      const gb = decode(bytes, 'gb18030');
      if (gb !== null && controlShare(gb) === 0 && textShare(gb) > 0.95) {
        text = gb;
        findings.push({ level: 'info', document, location: '全文', message: '文件不是 UTF-8 编码，已按 GB18030（GBK）编码读取' });
      }
    }
  }
  if (text === null) return refuse('文件既不是 UTF-8 也不是 GB18030（GBK）编码的文本，可能是改了扩展名的二进制文件，未读取');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A handful of stray control characters is a copy-paste accident; more is binary content.
  if (controlShare(text) > 0.001 || text.includes('\u0000')) {
    return refuse('文件含有二进制内容（控制字符），不像是文本，可能是改了扩展名的 PDF、Word 或图片，未读取');
  }
  return { text, findings };
}
