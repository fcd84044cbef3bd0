// Worker thread body: reads and parses one report file's bytes (see report-file.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { parseBytes } from './report-file.ts';
import type { DocumentKind } from './readers/source-file.ts';

const { bytes, kind, document } = workerData as { bytes: Uint8Array; kind: DocumentKind; document: string };
parentPort?.postMessage(await parseBytes(bytes, kind, document));
