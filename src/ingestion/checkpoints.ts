import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PermanentError } from '../errors.ts';

/** The last replay ID per channel that is safe to resume after (every event up to it is enqueued or finished). */
export interface CheckpointStore {
  load(channel: string): Promise<number | undefined>;
  save(channel: string, replayId: number): Promise<void>;
}

const CheckpointFile = z.object({
  version: z.literal(1),
  channels: z.record(z.string(), z.object({ replayId: z.number().int(), updatedAt: z.string() })),
});
type CheckpointFile = z.infer<typeof CheckpointFile>;

/** Writes to a temporary file and renames it over the target, so a crash leaves the old or the new file, never half. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.${++tempSequence}.tmp`;
  writeFileSync(temp, content, { encoding: 'utf8', flush: true });
  renameSync(temp, path);
}
let tempSequence = 0;

const madeDirs = new Set<string>();

/** `writeFileAtomic` without blocking the event loop (the directory is created once, again only if it disappears). */
export async function writeFileAtomicAsync(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  if (!madeDirs.has(dir)) {
    await mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const temp = `${path}.${process.pid}.${Date.now()}.${++tempSequence}.tmp`;
  try {
    await writeFile(temp, content, { encoding: 'utf8', flush: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    madeDirs.delete(dir);
    await mkdir(dir, { recursive: true });
    await writeFile(temp, content, { encoding: 'utf8', flush: true });
  }
  await rename(temp, path);
}

/** Embedded mode: one JSON file per org under the state directory. */
export class FileCheckpointStore implements CheckpointStore {
  private state: CheckpointFile;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(private readonly path: string) {
    this.state = FileCheckpointStore.read(path);
  }

  private static read(path: string): CheckpointFile {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, channels: {} };
      throw error;
    }
    // A corrupt checkpoint must stop the worker: guessing a position could skip events.
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PermanentError(
        `Checkpoint file ${path} is not valid JSON; fix or remove it (the worker then starts from LOOM_REPLAY_FROM)`,
        { category: 'Configuration' },
      );
    }
    const parsed = CheckpointFile.safeParse(json);
    if (!parsed.success)
      throw new PermanentError(`Checkpoint file ${path} is malformed: ${z.prettifyError(parsed.error)}`, {
        category: 'Configuration',
      });
    return parsed.data;
  }

  async load(channel: string): Promise<number | undefined> {
    return this.state.channels[channel]?.replayId;
  }

  async save(channel: string, replayId: number): Promise<void> {
    this.state = {
      ...this.state,
      channels: { ...this.state.channels, [channel]: { replayId, updatedAt: new Date().toISOString() } },
    };
    this.dirty = true;
    // One write at a time, off the event loop; saves that arrive meanwhile share the next write (it holds the newest state).
    const write = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      await writeFileAtomicAsync(this.path, `${JSON.stringify(this.state, null, 2)}\n`);
    });
    this.writing = write.catch(() => undefined);
    return write;
  }
}

/** Scaled mode: a Redis hash `{prefix}:{org}:checkpoints` of channel → replay ID, shared by whoever leads. */
export class RedisCheckpointStore implements CheckpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async load(channel: string): Promise<number | undefined> {
    const value = await this.redis.hget(this.key, channel);
    if (value === null) return undefined;
    const replayId = Number(value);
    if (!Number.isSafeInteger(replayId))
      throw new PermanentError(`Checkpoint ${this.key}[${channel}] is not an integer: ${value}`, {
        category: 'Configuration',
      });
    return replayId;
  }

  async save(channel: string, replayId: number): Promise<void> {
    await this.redis.hset(this.key, channel, String(replayId));
  }
}
