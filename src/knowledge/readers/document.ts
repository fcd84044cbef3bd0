// A document file's bytes → the text the report parser reads. Text files are decoded and
// checked; HTML, PDF and DOCX go through their readers, which write tables as tab-separated
// rows. The PDF and DOCX libraries are large: imported only when such a file is present.
import type { Finding } from '../types.ts';
import type { DocumentKind } from './source-file.ts';
import { decodeText } from './text.ts';

export interface ReadDocument {
  /** The text the report parser reads, or null when the file cannot be read (a finding says why). */
  text: string | null;
  findings: Finding[];
  /** For PDFs: the 1-based text line on which each page starts. */
  pageStarts?: number[];
}

export async function readDocument(bytes: Uint8Array, kind: DocumentKind, document: string): Promise<ReadDocument> {
  try {
    switch (kind) {
      case 'text':
        return decodeText(bytes, document);
      case 'html': {
        const { readHtmlBytes } = await import('./html.ts');
        return readHtmlBytes(bytes, document);
      }
      case 'pdf': {
        const { readPdf } = await import('./pdf.ts');
        return await readPdf(bytes, document);
      }
      case 'docx': {
        const { readDocx } = await import('./docx.ts');
        return await readDocx(bytes, document);
      }
    }
  } catch (e) {
    return { text: null, findings: [{ level: 'error', document, location: '全文', message: `读取文件时出错（${String(e).slice(0, 120)}），未读取` }] };
  }
}

/** "第 42 行（…）" → "第 3 页，第 42 行（…）" for PDFs, so a clerk can find the place in the file. */
export function withPages(findings: Finding[], pageStarts: number[] | undefined): Finding[] {
  if (!pageStarts || pageStarts.length === 0) return findings;
  const pageOf = (line: number): number => {
    let page = 1;
    for (let i = 0; i < pageStarts.length; i++) if ((pageStarts[i] ?? Infinity) <= line) page = i + 1;
    return page;
  };
  return findings.map((f) => {
    const m = /^第 (\d+) 行/.exec(f.location);
    return m ? { ...f, location: `第 ${pageOf(Number(m[1]))} 页，${f.location}` } : f;
  });
}
