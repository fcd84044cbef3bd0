import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OldestKey } from '../../src/store/oldest-key.ts';

describe('OldestKey', () => {
  it('yields the oldest key of a map used as a queue, as keys are re-inserted, evicted and added, across rebuilds of the table', () => {
    const map = new Map<number, number>();
    const oldest = new OldestKey(map);
    // A model: the same operations on an array kept in insertion order.
    const order: number[] = [];
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n);
    for (let step = 0; step < 50_000; step++) {
      const key = random(3_000);
      if (map.has(key)) {
        map.delete(key);
        order.splice(order.indexOf(key), 1);
      }
      map.set(key, step);
      order.push(key);
      while (map.size > 1_000) {
        const first = oldest.next()!;
        expect(first).toBe(order[0]);
        map.delete(first);
        order.shift();
      }
      if (step % 9_999 === 0) {
        // Emptied from the front by another loop (a sweep): the next oldest is still right.
        for (const k of [...map.keys()].slice(0, 500)) {
          map.delete(k);
          order.splice(order.indexOf(k), 1);
        }
      }
    }
    expect([...map.keys()]).toEqual(order);
  });

  it('starts again when the map was emptied, and says undefined for an empty map', () => {
    const map = new Map<string, number>([['a', 1]]);
    const oldest = new OldestKey(map);
    expect(oldest.next()).toBe('a');
    map.delete('a');
    expect(oldest.next()).toBeUndefined();
    map.set('b', 2);
    map.set('c', 3);
    expect(oldest.next()).toBe('b');
  });

  it('holds no outgrown tables of a map below its bound whose keys are only re-inserted', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const map = new Map<number, number>();
    const oldest = new OldestKey(map);
    const reinsert = (key: number) => {
      map.delete(key);
      map.set(key, key);
      oldest.added();
    };
    for (let k = 0; k < 10_000; k++) reinsert(k);
    map.delete(oldest.next()!);
    gc();
    const before = process.memoryUsage().heapUsed;
    // 300,000 re-inserts rebuild the table of 10,000 keys about fifty times; none evicts.
    for (let i = 0; i < 300_000; i++) reinsert((i * 7_919) % 10_000);
    gc();
    // With the iterator kept unmoved, V8 held every rebuilt table: 11.9 MB here.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(3 * 1024 * 1024);
    expect(oldest.next()).toBe([...map.keys()][0]);
  });
});
