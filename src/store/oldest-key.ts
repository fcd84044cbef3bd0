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
  #keys: IterableIterator<K>;

  constructor(map: Map<K, unknown>) {
    this.#map = map;
    this.#keys = map.keys();
  }

  /**
   * The first key in the map's order, for its caller to delete: each key is yielded once, so
   * call it only for a key that is then removed. Undefined when the map is empty.
   */
  next(): K | undefined {
    let step = this.#keys.next();
    // An iterator that once reached the end stays there: start again at the front.
    if (step.done) {
      this.#keys = this.#map.keys();
      step = this.#keys.next();
    }
    return step.done ? undefined : step.value;
  }
}
