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
});
