import { ApiError } from '../../org/model.ts';
import { randomId } from '../ids.ts';

/** Salesforce keeps query locators for 2 days. */
export const LOCATOR_TTL_MS = 2 * 24 * 3600 * 1000;
const MAX_LOCATORS = 10000;

interface Cursor {
  userId: string;
  records: Array<Record<string, unknown>>;
  batchSize: number;
  createdAt: number;
}

export interface Page {
  totalSize: number;
  done: boolean;
  records: Array<Record<string, unknown>>;
  /** Version-agnostic single path segment `0r8…-N`, present while more rows remain. */
  locator?: string;
}

/** Server-side cursors for query paging. A locator is owned by the user who ran the query. */
export class LocatorStore {
  private readonly cursors = new Map<string, Cursor>();

  constructor(private readonly now: () => number) {}

  /** First page of a result; stores a cursor only when more rows remain. */
  open(userId: string, records: Array<Record<string, unknown>>, batchSize: number): Page {
    if (records.length <= batchSize) return { totalSize: records.length, done: true, records };
    this.evict();
    const id = randomId('0r8');
    this.cursors.set(id, { userId, records, batchSize, createdAt: this.now() });
    return {
      totalSize: records.length,
      done: false,
      records: records.slice(0, batchSize),
      locator: `${id}-${batchSize}`,
    };
  }

  /** The page starting at the locator's offset. */
  next(userId: string, locator: string): Page {
    const match = /^(0r8[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)-(\d+)$/.exec(locator);
    const cursor = match ? this.cursors.get(match[1] ?? '') : undefined;
    const offset = match ? Number(match[2]) : NaN;
    if (!match || !cursor || cursor.userId !== userId || offset > cursor.records.length) {
      throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    if (this.now() - cursor.createdAt > LOCATOR_TTL_MS) {
      this.cursors.delete(match[1] ?? '');
      throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    const end = offset + cursor.batchSize;
    const records = cursor.records.slice(offset, end);
    const totalSize = cursor.records.length;
    if (end >= totalSize) return { totalSize, done: true, records };
    return { totalSize, done: false, records, locator: `${match[1]}-${end}` };
  }

  clear(): void {
    this.cursors.clear();
  }

  private evict(): void {
    const now = this.now();
    for (const [id, cursor] of this.cursors) {
      if (now - cursor.createdAt > LOCATOR_TTL_MS) this.cursors.delete(id);
    }
    // Oldest first: Map keeps insertion order.
    while (this.cursors.size >= MAX_LOCATORS) {
      const oldest = this.cursors.keys().next().value;
      if (oldest === undefined) break;
      this.cursors.delete(oldest);
    }
  }
}
