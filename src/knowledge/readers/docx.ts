import type { ReadDocument } from './document.ts';
export function readDocx(_bytes: Uint8Array, document: string): Promise<ReadDocument> {
  return Promise.resolve({ text: null, findings: [{ level: 'error', document, location: '全文', message: 'todo' }] });
}
