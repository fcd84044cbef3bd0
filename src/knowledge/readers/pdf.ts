// .pdf → text with pdf.js (legacy build for Node; no external programs). Text comes with its
// position: pieces on one baseline are one line, ordered left to right, and a wide gap between
// two pieces is a cell border, written as a tab, so tables read as tab-separated rows. A
// scanned PDF (no text) or one that needs a password is one finding, never a crash.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReadDocument } from './document.ts';
import { rulesOf, tablesOf, type Piece } from './pdf-grid.ts';

/** Lines of one page, top to bottom; pieces within a line left to right, cells split at wide gaps. */
function pageLines(pieces: Piece[]): string[] {
  const sorted = pieces.filter((p) => p.str.trim() !== '').sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: Piece[][] = [];
  for (const p of sorted) {
    const line = lines[lines.length - 1];
    const ref = line?.[0];
    // Same baseline, within a third of the font size (sub-pixel drift between runs).
    if (line && ref && Math.abs(ref.y - p.y) <= Math.max(ref.size, p.size) * 0.35) line.push(p);
    else lines.push([p]);
  }
  return lines.map((line) => {
    line.sort((a, b) => a.x - b.x);
    let out = '';
    let end = -Infinity;
    for (const p of line) {
      const gap = p.x - end;
      if (out !== '') {
        // A gap wider than a character is a cell border; a small one a space in the text.
        if (gap > p.size * 1.2) out += '\t';
        else if (gap > p.size * 0.25 && /[\x21-\x7e]$/.test(out) && /^[\x21-\x7e]/.test(p.str)) out += ' ';
      }
      out += p.str;
      end = Math.max(end, p.x + p.width);
    }
    return out.replace(/[ \u3000]+\t|\t[ \u3000]+/g, '\t');
  });
}

/** The baseline of each line pageLines() makes, in the same order. */
function lineTops(pieces: Piece[]): number[] {
  const sorted = pieces.filter((p) => p.str.trim() !== '').sort((a, b) => b.y - a.y || a.x - b.x);
  const tops: number[] = [];
  let ref: Piece | undefined;
  for (const p of sorted) {
    if (ref && Math.abs(ref.y - p.y) <= Math.max(ref.size, p.size) * 0.35) continue;
    ref = p;
    tops.push(p.y + p.size);
  }
  return tops;
}

export async function readPdf(bytes: Uint8Array, document: string): Promise<ReadDocument> {
  const refuse = (message: string): ReadDocument => ({ text: null, findings: [{ level: 'error', document, location: '全文', message }] });
  if (!(bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46)) return refuse('文件不是 PDF 格式，未读取');
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // Character maps and standard fonts ship with the package: CJK PDFs without embedded fonts need them.
  const root = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  const loading = pdfjs.getDocument({
    // pdf.js takes ownership of the buffer it is given: a copy.
    data: new Uint8Array(bytes),
    cMapUrl: `${pathToFileURL(path.join(root, 'cmaps')).href}/`,
    cMapPacked: true,
    standardFontDataUrl: `${pathToFileURL(path.join(root, 'standard_fonts')).href}/`,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  });
  let doc;
  try {
    doc = await loading.promise;
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'PasswordException') return refuse('PDF 文件设有打开密码（已加密），无法读取；请放入未加密的版本，或改用网页版、Word 版');
    return refuse(`PDF 文件已损坏或无法解析（${String(e).slice(0, 80)}），未读取`);
  }
  try {
    const lines: string[] = [];
    const pageStarts: number[] = [];
    let chars = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const pieces: Piece[] = [];
      for (const item of content.items) {
        if (!('str' in item)) continue;
        const [a, b, , , x, y] = item.transform as number[];
        const size = Math.hypot(a ?? 0, b ?? 0) || item.height || 10;
        pieces.push({ str: item.str, x: x ?? 0, y: y ?? 0, width: item.width, size });
        chars += item.str.trim().length;
      }
      const ops = await page.getOperatorList();
      const rules = rulesOf(ops.fnArray, ops.argsArray, {
        save: pdfjs.OPS.save, restore: pdfjs.OPS.restore, transform: pdfjs.OPS.transform, constructPath: pdfjs.OPS.constructPath,
        painting: new Set([pdfjs.OPS.fill, pdfjs.OPS.eoFill, pdfjs.OPS.stroke, pdfjs.OPS.closeStroke, pdfjs.OPS.fillStroke, pdfjs.OPS.eoFillStroke, pdfjs.OPS.closeFillStroke, pdfjs.OPS.closeEOFillStroke]),
        strokes: new Set([pdfjs.OPS.stroke, pdfjs.OPS.closeStroke, pdfjs.OPS.fillStroke, pdfjs.OPS.eoFillStroke, pdfjs.OPS.closeFillStroke, pdfjs.OPS.closeEOFillStroke]),
      });
      const { tables, loose } = tablesOf(pieces, rules);
      // Running text and tables in reading order, top to bottom.
      const blocks = [
        ...pageLines(loose).map((text, i, all) => ({ top: lineTops(loose)[i] ?? 0, lines: [text], order: i - all.length })),
        ...tables.map((t) => ({ ...t, order: 0 })),
      ].sort((a, b) => b.top - a.top || a.order - b.order);
      pageStarts.push(lines.length + 1);
      for (const b of blocks) lines.push(...b.lines);
      lines.push('');
      page.cleanup();
    }
    if (chars < 20) {
      return refuse(`PDF 中没有可读取的文字（共 ${doc.numPages} 页，可能是扫描件或图片）；请放入有文字的 PDF、网页版或 Word 版，或把报告文字另存为 .txt`);
    }
    return { text: lines.join('\n'), findings: [], pageStarts };
  } finally {
    await doc.destroy();
  }
}
