import type { ReadDocument } from './document.ts';
export function readHtmlBytes(_bytes: Uint8Array, document: string): ReadDocument {
  return { text: null, findings: [{ level: 'error', document, location: '全文', message: 'todo' }] };
}
