import { LRUCache } from 'lru-cache';

/** The SOQL caches' LRU map: a thin adapter over the well-kept `lru-cache` (bounded by entry count). */
export class Lru<K extends NonNullable<unknown>, V extends NonNullable<unknown>> {
  private readonly cache: LRUCache<K, V>;

  constructor(capacity: number) {
    this.cache = new LRUCache<K, V>({ max: capacity });
  }

  get(key: K): V | undefined {
    return this.cache.get(key);
  }

  set(key: K, value: V): void {
    this.cache.set(key, value);
  }

  get size(): number {
    return this.cache.size;
  }

  clear(): void {
    this.cache.clear();
  }
}
