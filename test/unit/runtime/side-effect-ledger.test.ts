import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolDefinition, ToolExecutor, ToolOutcome } from '../../../src/runtime/ports.ts';
import {
  FileSideEffectLedger,
  LedgeredExecutor,
  MemorySideEffectLedger,
  RedisSideEffectLedger,
  type SideEffectLedger,
} from '../../../src/runtime/side-effect-ledger.ts';
import { startRedis, uniquePrefix, type RedisHandle } from '../../support/redis.ts';

const tool = (detail: string, sideEffects = true): ToolDefinition => ({
  name: detail.toLowerCase(),
  description: '',
  parameters: {},
  capabilityId: 'cap',
  hitlMode: '',
  implementationType: 'Standard',
  implementationDetail: detail,
  backendConfiguration: {},
  sideEffects,
});

/** Counts executions; `crash` makes the next call throw after "running" (a worker dying before the result is kept). */
function countingExecutor(): ToolExecutor & { runs: number; crash: boolean } {
  const executor = {
    runs: 0,
    crash: false,
    async execute(): Promise<ToolOutcome> {
      executor.runs += 1;
      if (executor.crash) {
        executor.crash = false;
        throw new Error('process died');
      }
      return { ok: true, result: { id: `001${executor.runs}` } };
    },
  };
  return executor;
}

const context = (toolCallId: string) => ({ toolCallId, signal: new AbortController().signal });
const scope = { executionId: 'a01000000000001', turnId: 't-1' };

let redis: RedisHandle;
let dir: string;
beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'loom-ledger-'));
});
afterAll(async () => {
  await redis.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const ledgers: Array<[string, () => SideEffectLedger]> = [
  ['memory', () => new MemorySideEffectLedger()],
  ['file', () => new FileSideEffectLedger(join(dir, `${uniquePrefix('f')}.jsonl`))],
  ['redis', () => new RedisSideEffectLedger(redis.client(), uniquePrefix('ledger'))],
];

describe.each(ledgers)('side-effect ledger (%s)', (_name, make) => {
  it('returns the recorded result instead of running a finished call again', async () => {
    const inner = countingExecutor();
    const ledger = make();
    const first = await new LedgeredExecutor(inner, ledger, scope).execute(tool('CreateRecord'), { a: 1 }, context('call_1'));
    const retry = await new LedgeredExecutor(inner, ledger, scope).execute(tool('CreateRecord'), { a: 1 }, context('call_1'));
    expect(inner.runs).toBe(1);
    expect(retry).toEqual(first);
  });

  it('refuses to repeat a create whose first attempt died mid-call, and re-applies an update', async () => {
    const inner = countingExecutor();
    const ledger = make();
    inner.crash = true;
    await expect(new LedgeredExecutor(inner, ledger, scope).execute(tool('CreateRecord'), {}, context('call_c'))).rejects.toThrow(/died/);
    const create = await new LedgeredExecutor(inner, ledger, scope).execute(tool('CreateRecord'), {}, context('call_c'));
    expect(create).toMatchObject({ ok: false, errorCategory: 'SideEffectUncertain' });
    expect(inner.runs).toBe(1);

    inner.crash = true;
    await expect(new LedgeredExecutor(inner, ledger, scope).execute(tool('UpdateRecord'), { f: 1 }, context('call_u'))).rejects.toThrow(/died/);
    const update = await new LedgeredExecutor(inner, ledger, scope).execute(tool('UpdateRecord'), { f: 1 }, context('call_u'));
    expect(update.ok).toBe(true);
    expect(inner.runs).toBe(3);
  });

  it('does not consult the ledger for reads, and keeps tool calls of other turns apart', async () => {
    const inner = countingExecutor();
    const ledger = make();
    await new LedgeredExecutor(inner, ledger, scope).execute(tool('GetRecords', false), {}, context('call_r'));
    await new LedgeredExecutor(inner, ledger, scope).execute(tool('GetRecords', false), {}, context('call_r'));
    await new LedgeredExecutor(inner, ledger, scope).execute(tool('CreateRecord'), {}, context('call_x'));
    await new LedgeredExecutor(inner, ledger, { ...scope, turnId: 't-2' }).execute(tool('CreateRecord'), {}, context('call_x'));
    expect(inner.runs).toBe(4);
  });
});

describe('file ledger', () => {
  it('survives a restart and ignores a line torn by a crash', async () => {
    const file = join(dir, 'restart.jsonl');
    const inner = countingExecutor();
    await new LedgeredExecutor(inner, new FileSideEffectLedger(file), scope).execute(tool('CreateRecord'), {}, context('call_1'));
    const { appendFileSync } = await import('node:fs');
    appendFileSync(file, '{"key":"torn","sta');
    await new LedgeredExecutor(inner, new FileSideEffectLedger(file), scope).execute(tool('CreateRecord'), {}, context('call_1'));
    expect(inner.runs).toBe(1);
  });
});
