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
import { SalesforceError } from '../../../src/salesforce/rest-client.ts';
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
    const first = await new LedgeredExecutor(inner, ledger, scope).execute(
      tool('CreateRecord'),
      { a: 1 },
      context('call_1'),
    );
    const retry = await new LedgeredExecutor(inner, ledger, scope).execute(
      tool('CreateRecord'),
      { a: 1 },
      context('call_1'),
    );
    expect(inner.runs).toBe(1);
    expect(retry).toEqual(first);
  });

  it('refuses to repeat a create whose first attempt died mid-call, and re-applies an update', async () => {
    const inner = countingExecutor();
    const ledger = make();
    inner.crash = true;
    await expect(
      new LedgeredExecutor(inner, ledger, scope).execute(tool('CreateRecord'), {}, context('call_c')),
    ).rejects.toThrow(/died/);
    const create = await new LedgeredExecutor(inner, ledger, scope).execute(
      tool('CreateRecord'),
      {},
      context('call_c'),
    );
    expect(create).toMatchObject({ ok: false, errorCategory: 'SideEffectUncertain' });
    expect(inner.runs).toBe(1);

    inner.crash = true;
    await expect(
      new LedgeredExecutor(inner, ledger, scope).execute(tool('UpdateRecord'), { f: 1 }, context('call_u')),
    ).rejects.toThrow(/died/);
    const update = await new LedgeredExecutor(inner, ledger, scope).execute(
      tool('UpdateRecord'),
      { f: 1 },
      context('call_u'),
    );
    expect(update.ok).toBe(true);
    expect(inner.runs).toBe(3);
  });

  it('runs a create again when the org rejected the first attempt (rolled back), but not after a dropped connection', async () => {
    const ledger = make();
    const failing = (error: Error): ToolExecutor & { runs: number } => {
      const executor = {
        runs: 0,
        async execute(): Promise<ToolOutcome> {
          executor.runs += 1;
          if (executor.runs === 1) throw error;
          return { ok: true, result: { id: '001X' } };
        },
      };
      return executor;
    };
    const rejected = failing(new SalesforceError('Service Unavailable', 'SERVER_UNAVAILABLE', { retryable: true }));
    await expect(
      new LedgeredExecutor(rejected, ledger, scope).execute(tool('CreateRecord'), {}, context('call_503')),
    ).rejects.toThrow(/Unavailable/);
    expect(
      await new LedgeredExecutor(rejected, ledger, scope).execute(tool('CreateRecord'), {}, context('call_503')),
    ).toEqual({ ok: true, result: { id: '001X' } });
    expect(rejected.runs).toBe(2);

    const dropped = failing(new SalesforceError('socket hang up', 'ECONNRESET', { retryable: true }));
    await expect(
      new LedgeredExecutor(dropped, ledger, scope).execute(tool('CreateRecord'), {}, context('call_drop')),
    ).rejects.toThrow(/hang up/);
    expect(
      await new LedgeredExecutor(dropped, ledger, scope).execute(tool('CreateRecord'), {}, context('call_drop')),
    ).toMatchObject({ ok: false, errorCategory: 'SideEffectUncertain' });
    expect(dropped.runs).toBe(1);
  });

  it('release never forgets a finished call', async () => {
    const inner = countingExecutor();
    const ledger = make();
    await new LedgeredExecutor(inner, ledger, scope).execute(tool('CreateRecord'), {}, context('call_done'));
    await ledger.release(`${scope.executionId}:${scope.turnId}:call_done`);
    await new LedgeredExecutor(inner, ledger, scope).execute(tool('CreateRecord'), {}, context('call_done'));
    expect(inner.runs).toBe(1);
  });

  it('does not consult the ledger for reads, and keeps tool calls of other turns apart', async () => {
    const inner = countingExecutor();
    const ledger = make();
    await new LedgeredExecutor(inner, ledger, scope).execute(tool('GetRecords', false), {}, context('call_r'));
    await new LedgeredExecutor(inner, ledger, scope).execute(tool('GetRecords', false), {}, context('call_r'));
    await new LedgeredExecutor(inner, ledger, scope).execute(tool('CreateRecord'), {}, context('call_x'));
    await new LedgeredExecutor(inner, ledger, { ...scope, turnId: 't-2' }).execute(
      tool('CreateRecord'),
      {},
      context('call_x'),
    );
    expect(inner.runs).toBe(4);
  });
});

describe('file ledger', () => {
  it('survives a restart and ignores a line torn by a crash', async () => {
    const file = join(dir, 'restart.jsonl');
    const inner = countingExecutor();
    await new LedgeredExecutor(inner, new FileSideEffectLedger(file), scope).execute(
      tool('CreateRecord'),
      {},
      context('call_1'),
    );
    const { appendFileSync } = await import('node:fs');
    appendFileSync(file, '{"key":"torn","sta');
    await new LedgeredExecutor(inner, new FileSideEffectLedger(file), scope).execute(
      tool('CreateRecord'),
      {},
      context('call_1'),
    );
    expect(inner.runs).toBe(1);
  });

  it('keeps a release across a restart', async () => {
    const file = join(dir, 'release.jsonl');
    const ledger = new FileSideEffectLedger(file);
    expect(await ledger.begin('k', 'args')).toBeNull();
    await ledger.release('k');
    expect(await new FileSideEffectLedger(file).begin('k', 'args')).toBeNull();
  });
});
