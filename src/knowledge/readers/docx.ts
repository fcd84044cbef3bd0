// .docx → HTML with mammoth (merged cells kept as colspan/rowspan) → the HTML reader.
import type { ReadDocument } from './document.ts';
import { readHtml } from './html.ts';

export async function readDocx(bytes: Uint8Array, document: string): Promise<ReadDocument> {
  const refuse = (message: string): ReadDocument => ({ text: null, findings: [{ level: 'error', document, location: '全文', message }] });
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    const old = bytes[0] === 0xd0 && bytes[1] === 0xcf;
    return refuse(old ? '这是旧版 Word（.doc）文件，不是 .docx；请在 Word 或 WPS 中“另存为” .docx 后再放入' : '文件不是 .docx 格式（不是 Word 2007 及以后的文档），未读取');
  }
  const { default: mammoth } = await import('mammoth');
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).value;
  } catch (e) {
    return refuse(`Word 文件已损坏或不完整（${String(e).slice(0, 80)}），未读取；请重新下载或重新保存后再放入`);
  }
  return readHtml(`<html><body>${html}</body></html>`, document);
}
