import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../../src/ingestion/checkpoints.ts';
import { FileDeadLetterStore } from '../../../src/ingestion/dead-letter.ts';
import { DEDUPE_RETENTION_MS, FileDedupeStore } from '../../../src/ingestion/dedupe.ts';
import { PermanentError } from '../../../src/errors.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loom-stores-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileDedupeStore', () => {
  it('treats in-flight and committed events as duplicates, and only commits survive a restart', async () => {
    const path = join(dir, 'dedupe.jsonl');
    const store = new FileDedupeStore(path);
    expect(await store.claim('u1', ['event:u1', 'turn:x:1'])).toBe('new');
    expect(await store.claim('u1', ['event:u1'])).toBe('duplicate');
    expect(await store.claim('u2', ['event:u2', 'turn:x:1'])).toBe('duplicate');
    expect(await store.claim('u3', ['event:u3'])).toBe('new');
    await store.commit('u1', ['event:u1', 'turn:x:1']);
    const restarted = new FileDedupeStore(path);
    expect(await restarted.claim('u1', ['event:u1'])).toBe('duplicate');
    expect(await restarted.claim('u9', ['event:u9', 'turn:x:1'])).toBe('duplicate');
    expect(await restarted.claim('u3', ['event:u3'])).toBe('new'); // never finished: runs again
  });

  it('releases uncommitted claims and forgets commits after the 72 h retention', async () => {
    let now = 1_000_000;
    const path = join(dir, 'dedupe.jsonl');
    const store = new FileDedupeStore(path, () => now);
    await store.claim('u1', ['event:u1']);
    await store.release('u1', ['event:u1']);
    expect(await store.claim('u1', ['event:u1'])).toBe('new');
    await store.commit('u1', ['event:u1']);
    now += DEDUPE_RETENTION_MS + 1;
    expect(await new FileDedupeStore(path, () => now).claim('u1', ['event:u1'])).toBe('new');
  });

  it('skips a torn last line left by a crash mid-append', async () => {
    const path = join(dir, 'dedupe.jsonl');
    writeFileSync(path, `${JSON.stringify({ uuid: 'u1', keys: ['event:u1'], at: Date.now() })}\n{"uuid":"u2","ke`);
    const store = new FileDedupeStore(path);
    expect(await store.claim('u1', ['event:u1'])).toBe('duplicate');
    expect(await store.claim('u2', ['event:u2'])).toBe('new');
  });
});

describe('FileCheckpointStore', () => {
  it('persists per channel through an atomic rename', async () => {
    const path = join(dir, 'org', 'checkpoints.json');
    const store = new FileCheckpointStore(path);
    expect(await store.load('/event/A__e')).toBeUndefined();
    await store.save('/event/A__e', 4711);
    await store.save('/event/B__e', 4712);
    const reloaded = new FileCheckpointStore(path);
    expect([await reloaded.load('/event/A__e'), await reloaded.load('/event/B__e')]).toEqual([4711, 4712]);
  });

  it('refuses to start from a corrupt file rather than guess a position', () => {
    const path = join(dir, 'checkpoints.json');
    writeFileSync(path, '{"version":1,"channels":{"a":{"replayId":"x"}}}');
    expect(() => new FileCheckpointStore(path)).toThrow(PermanentError);
    writeFileSync(path, 'not json');
    expect(() => new FileCheckpointStore(path)).toThrow(/not valid JSON/);
  });
});

describe('FileDeadLetterStore', () => {
  it('appends validated entries and lists the newest last', async () => {
    const store = new FileDeadLetterStore(join(dir, 'dl', 'dead-letter.jsonl'));
    expect(await store.list()).toEqual([]);
    for (let i = 0; i < 3; i++) await store.add({ at: `t${i}`, reason: 'malformed:payload', detail: `d${i}` });
    expect((await store.list(2)).map((entry) => entry.detail)).toEqual(['d1', 'd2']);
    await expect(store.add({ at: 't', reason: '', detail: 'x' })).rejects.toThrow();
    expect(
      readFileSync(join(dir, 'dl', 'dead-letter.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(3);
  });
});
