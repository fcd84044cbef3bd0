// A bounded memo for the per-word judgements the reading path makes again and again: residents use
// the same words over and over, so a word's result is kept, and the whole table dropped when full
// (cheaper than tracking which word is least recent, and the common words come straight back).

/** `make()` kept in `map` under `key`; the map is emptied when it holds `limit` keys. */
export function kept<K, V>(map: Map<K, V>, key: K, limit: number, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    if (map.size >= limit) map.clear();
    map.set(key, value);
  }
  return value;
}
