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
  /** The event as delivered (record IDs only by design, no conversation content). */
  raw: z.unknown().optional(),
  /**
   * For malformed events that name an execution, and turns given up: whether the Error step (for a turn, its terminal
   * state and failure answer) was written, or the turn had been answered after all.
   */
  errorStep: z.enum(['written', 'failed', 'not-applicable', 'already-answered']).optional(),
});
export type DeadLetterEntry = z.infer<typeof DeadLetterEntry>;

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
    appendFileSync(this.path, `${JSON.stringify(DeadLetterEntry.parse(entry))}\n`, { encoding: 'utf8', flush: true });
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
    await this.redis.multi().rpush(this.key, JSON.stringify(DeadLetterEntry.parse(entry))).ltrim(this.key, -this.maxEntries, -1).exec();
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
