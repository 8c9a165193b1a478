import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import { writeFileAtomic } from './checkpoints.ts';

/** Salesforce keeps events 72 hours; remembering them as long means no retained event can run twice. */
export const DEDUPE_RETENTION_MS = 72 * 60 * 60 * 1000;

/**
 * `new`: first sighting, go ahead. `resume`: this same event was claimed before but never committed (a crash between
 * claim and enqueue), go ahead: the enqueue is idempotent by job ID. `duplicate`: skip.
 */
export type ClaimResult = 'new' | 'resume' | 'duplicate';

/**
 * Remembers events by EventUuid plus secondary keys (a turn's execution + turn identifier), so neither a redelivery
 * nor a second event for the same turn starts another run.
 */
export interface DedupeStore {
  claim(eventUuid: string, keys: string[]): Promise<ClaimResult>;
  /** The event's job is safe (enqueued durably / finished): later sightings are duplicates even after a restart. */
  commit(eventUuid: string, keys: string[]): Promise<void>;
  /** Forget an uncommitted claim (the job was handed back) so a redelivery may run it. */
  release(eventUuid: string, keys: string[]): Promise<void>;
}

export function dedupeKeys(eventUuid: string, secondary: string[]): string[] {
  return [`event:${eventUuid}`, ...secondary];
}

interface MemoryEntry {
  uuid: string;
  done: boolean;
  at: number;
}

/**
 * Embedded mode: claims live in memory (the in-process queue dies with them), commits are appended to a JSON-lines
 * file when a job FINISHES, so after a crash only unfinished events run again.
 */
export class FileDedupeStore implements DedupeStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private lines = 0;
  private expiredAt = Number.NEGATIVE_INFINITY;
  private nextCompactCheck = 1_000;

  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    this.load();
  }

  private load(): void {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const cutoff = this.now() - DEDUPE_RETENTION_MS;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let record: { uuid?: unknown; keys?: unknown; at?: unknown };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        continue; // a torn last line from a crash mid-append: that commit did not happen
      }
      if (
        typeof record.uuid !== 'string' ||
        !Array.isArray(record.keys) ||
        typeof record.at !== 'number' ||
        record.at < cutoff
      )
        continue;
      for (const key of record.keys)
        if (typeof key === 'string') this.entries.set(key, { uuid: record.uuid, done: true, at: record.at });
      this.lines++;
    }
    this.compactIfNeeded(true);
  }

  async claim(eventUuid: string, keys: string[]): Promise<ClaimResult> {
    this.expire();
    const cutoff = this.now() - DEDUPE_RETENTION_MS;
    for (const key of keys) if ((this.entries.get(key)?.at ?? Number.NEGATIVE_INFINITY) >= cutoff) return 'duplicate';
    const at = this.now();
    for (const key of keys) this.entries.set(key, { uuid: eventUuid, done: false, at });
    return 'new';
  }

  async commit(eventUuid: string, keys: string[]): Promise<void> {
    const at = this.now();
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify({ uuid: eventUuid, keys, at })}\n`, { encoding: 'utf8', flush: true });
    this.lines++;
    for (const key of keys) this.entries.set(key, { uuid: eventUuid, done: true, at });
    this.compactIfNeeded(false);
  }

  async release(eventUuid: string, keys: string[]): Promise<void> {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry && !entry.done && entry.uuid === eventUuid) this.entries.delete(key);
    }
  }

  private expire(): void {
    // A full scan per event grew with the 72 h window; entries expire by the hour, so once a second is plenty.
    const now = this.now();
    if (now - this.expiredAt < 1_000) return;
    this.expiredAt = now;
    const cutoff = now - DEDUPE_RETENTION_MS;
    for (const [key, entry] of this.entries) if (entry.at < cutoff) this.entries.delete(key);
  }

  /** Rewrites the file with live commits only once it holds twice as many lines as needed. */
  private compactIfNeeded(force: boolean): void {
    // Counting live commits scans every entry, so it runs once per 1,000 appended lines, not on every commit.
    if (!force && this.lines < this.nextCompactCheck) return;
    this.nextCompactCheck = this.lines + 1_000;
    this.expiredAt = Number.NEGATIVE_INFINITY;
    this.expire();
    const live = new Map<string, { uuid: string; keys: string[]; at: number }>();
    for (const [key, entry] of this.entries) {
      if (!entry.done) continue;
      const record = live.get(entry.uuid) ?? { uuid: entry.uuid, keys: [], at: entry.at };
      record.keys.push(key);
      live.set(entry.uuid, record);
    }
    if (!force && this.lines < 1000) return;
    if (!force && this.lines < live.size * 2) return;
    if (force && this.lines === live.size) return;
    writeFileAtomic(this.path, [...live.values()].map((record) => `${JSON.stringify(record)}\n`).join(''));
    this.lines = live.size;
  }
}

/**
 * Claim every key for this event unless one belongs to another event or is committed. Values: the claiming
 * EventUuid, or `done:<uuid>` once committed. Returns 'new', 'resume' or 'duplicate'.
 */
const CLAIM = `
local uuid = ARGV[1]
local resumed = false
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if value then
    if value == uuid then resumed = true else return 'duplicate' end
  end
end
for i, key in ipairs(KEYS) do redis.call('SET', key, uuid, 'PX', ARGV[2]) end
if resumed then return 'resume' end
return 'new'`;

const RELEASE = `
for i, key in ipairs(KEYS) do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 1`;

/** Scaled mode: keys `{prefix}:{org}:dedupe:{key}` with a 72 h TTL; claims are durable so a crash resumes, not repeats. */
export class RedisDedupeStore implements DedupeStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retentionMs = DEDUPE_RETENTION_MS,
  ) {}

  private redisKeys(keys: string[]): string[] {
    return keys.map((key) => `${this.prefix}:${key}`);
  }

  async claim(eventUuid: string, keys: string[]): Promise<ClaimResult> {
    const result = await this.redis.eval(
      CLAIM,
      keys.length,
      ...this.redisKeys(keys),
      eventUuid,
      String(this.retentionMs),
    );
    return result === 'new' || result === 'resume' ? result : 'duplicate';
  }

  async commit(eventUuid: string, keys: string[]): Promise<void> {
    const multi = this.redis.multi();
    for (const key of this.redisKeys(keys)) multi.set(key, `done:${eventUuid}`, 'PX', this.retentionMs);
    await multi.exec();
  }

  async release(eventUuid: string, keys: string[]): Promise<void> {
    await this.redis.eval(RELEASE, keys.length, ...this.redisKeys(keys), eventUuid);
  }
}
