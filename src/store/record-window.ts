// The records a question log keeps in memory, oldest first, each with the bytes of its line, as
// retention cuts them from the front.
//
// A full log drops a batch from the front at every flush. `splice(0, n)` on an array of 100,000
// records moves every record left: about 1 ms per array, two arrays, every 200 messages (10 µs a
// message, in one piece of the event loop). Here the dropped records stay at the front (`head`)
// until they are a sixteenth of those kept, then go in one splice: each record is moved at most
// sixteen times over its life instead of five hundred, and at most 1/16 more records are held.
import { retainedAt, type Retention } from './retention.ts';

/** Dropped records are let go once they are this share of the records kept… */
const SHED_SHARE = 1 / 16;
/** …and at least this many (a small log sheds rarely). */
const SHED_MIN = 1_024;

export class RecordWindow<T extends { time: string }> {
  /**
   * The backing array: `records.slice(head)` are the records kept. Exposed for lowdb, whose
   * adapter appends the newest records of the array it is given (question-log.ts).
   */
  readonly records: T[];
  readonly #sizes: number[] = [];
  #head = 0;
  /** Bytes of the kept records' lines. */
  #bytes = 0;

  constructor(records: T[] = [], sizeOf: (record: T) => number = () => 0) {
    this.records = records;
    for (const record of records) {
      const size = sizeOf(record);
      this.#sizes.push(size);
      this.#bytes += size;
    }
  }

  /** Records kept. */
  get length(): number {
    return this.records.length - this.#head;
  }

  /** Records at the back not sized yet (appended with `push(record)` alone; see `size`). */
  get unsized(): number {
    return this.records.length - this.#sizes.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The oldest record kept. */
  first(): T | undefined {
    return this.records[this.#head];
  }

  /** The i-th record kept, oldest first. */
  at(i: number): T | undefined {
    return this.records[this.#head + i];
  }

  /** Appends a record; `size` now, or later through `sizeNext` (a batch sized at once). */
  push(record: T, size?: number): void {
    this.records.push(record);
    if (size !== undefined) this.#sized(size);
  }

  /** The oldest record appended without a size; call `sizeNext` with its size next. */
  nextUnsized(): T | undefined {
    return this.records[this.#sizes.length];
  }

  sizeNext(size: number): void {
    this.#sized(size);
  }

  #sized(size: number): void {
    this.#sizes.push(size);
    this.#bytes += size;
  }

  /**
   * Drops what `retention` no longer keeps from the front (every record must be sized), calling
   * `dropped` for each. Returns how many were dropped.
   */
  trim(retention: Retention, now: number, dropped: (record: T) => void): number {
    const records = this.records;
    const head = this.#head;
    const count = retainedAt((i) => Date.parse(records[head + i]!.time), records.length - head, retention, now, this.#sizes, this.#bytes, head);
    if (count === 0) return 0;
    for (let i = head; i < head + count; i++) {
      this.#bytes -= this.#sizes[i]!;
      dropped(records[i]!);
    }
    this.#head = head + count;
    if (this.#head >= Math.max(SHED_MIN, this.length * SHED_SHARE)) this.shed();
    return count;
  }

  /** Lets go of the dropped records now: `records` then holds only the records kept. */
  shed(): void {
    if (this.#head === 0) return;
    this.records.splice(0, this.#head);
    this.#sizes.splice(0, this.#head);
    this.#head = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    const records = this.records;
    for (let i = this.#head; i < records.length; i++) yield records[i]!;
  }
}
