// The oldest key of a Map kept in insertion order as a queue (re-inserted on use, the first entry
// evicted when the map is over its bound).
//
// `map.keys().next()` starts at the front of V8's table, where every key deleted since the table
// was last rebuilt still has its slot: evicting one key a message from a full map walked more of
// them each time (the session store past 50,000 residents, the per-user limit past 100,000: 60 µs
// and more a message once a flood of new senders filled them). One iterator kept for the map's
// life walks each deleted slot once: a Map iterator stays valid as keys are deleted and added
// (and as the table is rebuilt), and yields keys added after it started.
export class OldestKey<K> {
  readonly #map: Map<K, unknown>;
  /**
   * Made at the first `next`, and let go once the map took more keys than it holds without one
   * evicted: V8 keeps every table a map outgrew or rebuilt for as long as an iterator that has not
   * moved since still points into it (moving takes it to the current table). A map below its
   * bound, its keys only re-inserted, rebuilt its table every few thousand messages and the one
   * idle iterator held them all (0.9 MB each for 10,000 sessions: +7 MB over 50,000 questions
   * in the memory bench). Between rebuilds the map takes at least as many keys as it holds, so
   * this keeps at most one or two; a fresh iterator walks the deleted slots at the front once.
   */
  #keys: IterableIterator<K> | undefined;
  #added = 0;

  constructor(map: Map<K, unknown>) {
    this.#map = map;
  }

  /** Call after each `set` on the map (a key added or re-inserted). */
  added(): void {
    if (this.#keys !== undefined && ++this.#added > this.#map.size) this.#keys = undefined;
  }

  /**
   * The first key in the map's order, for its caller to delete: each key is yielded once, so
   * call it only for a key that is then removed. Undefined when the map is empty.
   */
  next(): K | undefined {
    this.#added = 0;
    this.#keys ??= this.#map.keys();
    let step = this.#keys.next();
    // An iterator that once reached the end stays there: start again at the front.
    if (step.done) {
      this.#keys = this.#map.keys();
      step = this.#keys.next();
    }
    return step.done ? undefined : step.value;
  }
}
