import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * Why an event did not become a normal job run. `malformed:*` payloads that fail validation, `security:*` refusals,
 * `failed:*` jobs whose retries are spent or whose error was permanent.
 */
export const DeadLetterEntry = z.object({
  at: z.string(),
  reason: z.string().min(1),
  detail: z.string(),
  channel: z.string().optional(),
  replayId: z.number().int().optional(),
  eventUuid: z.string().optional(),
  executionId: z.string().optional(),
  jobId: z.string().optional(),
  /**
   * The event or job, reduced to its IDs and categories by `idsOnly` in every store: no payload text (a comment, edited
   * arguments, a message a malformed event smuggled in) is ever written at rest outside Salesforce.
   */
  raw: z.unknown().optional(),
  /**
   * For malformed events that name an execution, and turns given up: whether the Error step (for a turn, its terminal
   * state and failure answer) was written, or the turn had been answered after all.
   */
  errorStep: z.enum(['written', 'failed', 'not-applicable', 'already-answered']).optional(),
});
export type DeadLetterEntry = z.infer<typeof DeadLetterEntry>;

/** Keys whose scalar values are identifiers or categories (kept); anything else is dropped and only its key is named. */
const ID_KEY =
  /(?:Id|Id__c|Uuid|Identifier__c)$|^(?:kind|channel|replayId|reconciled|receivedAt|CreatedDate|Decision__c|Status__c|schema|reason|jobId)$/;
/** A kept value is a short token: an ID, UUID, timestamp or picklist value, never free text. */
const TOKEN = /^[A-Za-z0-9_:.+\-/]{1,80}$/;

/**
 * What a dead letter may keep of an event or job: IDs and categories at any depth, the names (not the values) of
 * everything else. Applied by every store, so no caller can write a payload at rest by mistake.
 */
export function idsOnly(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) return { droppedArray: value.length };
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item !== null && typeof item === 'object') {
      const inner = idsOnly(item, depth + 1);
      if (inner !== undefined) kept[key] = inner;
    } else if (
      ID_KEY.test(key) &&
      (typeof item === 'number' ||
        typeof item === 'boolean' ||
        item === null ||
        (typeof item === 'string' && TOKEN.test(item)))
    ) {
      kept[key] = item;
    } else {
      dropped.push(key.slice(0, 80));
    }
  }
  if (dropped.length > 0) kept.droppedKeys = dropped;
  return kept;
}

function atRest(entry: DeadLetterEntry): DeadLetterEntry {
  const parsed = DeadLetterEntry.parse(entry);
  return parsed.raw === undefined ? parsed : { ...parsed, raw: idsOnly(parsed.raw) };
}

export interface DeadLetterStore {
  add(entry: DeadLetterEntry): Promise<void>;
  /** Newest last, at most `limit` entries. */
  list(limit?: number): Promise<DeadLetterEntry[]>;
}

/** Embedded mode: JSON lines appended to a file under the state directory (readable with `loom worker dead-letter`). */
export class FileDeadLetterStore implements DeadLetterStore {
  constructor(readonly path: string) {}

  async add(entry: DeadLetterEntry): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify(atRest(entry))}\n`, { encoding: 'utf8', flush: true });
  }

  async list(limit = 100): Promise<DeadLetterEntry[]> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return parseLines(text.split('\n').filter(Boolean).slice(-limit));
  }
}

/** Scaled mode: a Redis list `{prefix}:{org}:dead-letter`, newest at the tail, capped so it cannot grow without bound. */
export class RedisDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly maxEntries = 100_000,
  ) {}

  async add(entry: DeadLetterEntry): Promise<void> {
    await this.redis
      .multi()
      .rpush(this.key, JSON.stringify(atRest(entry)))
      .ltrim(this.key, -this.maxEntries, -1)
      .exec();
  }

  async list(limit = 100): Promise<DeadLetterEntry[]> {
    return parseLines(await this.redis.lrange(this.key, -limit, -1));
  }
}

/** A line that no longer parses is shown as such rather than hidden. */
function parseLines(lines: string[]): DeadLetterEntry[] {
  return lines.map((line) => {
    try {
      return DeadLetterEntry.parse(JSON.parse(line));
    } catch {
      return { at: '', reason: 'unreadable-entry', detail: line.slice(0, 500) };
    }
  });
}
