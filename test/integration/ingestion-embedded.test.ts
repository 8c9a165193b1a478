/**
 * Embedded mode end to end: REST publishes on the emulator → CometD (unmodified faye) → intake → in-process queue →
 * handler. Nothing lost, nothing run twice: duplicates, restarts mid-batch, evictions and expired replay IDs.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesforceErrorSteps } from '../../src/ingestion/error-step.ts';
import { silentLogger } from '../../src/logger.ts';
import { TransientError, PermanentError } from '../../src/errors.ts';
import type { LoomJob, TurnJob } from '../../src/runtime/jobs.ts';
import { ApiMeter } from '../../src/salesforce/api-meter.ts';
import { SalesforceClient } from '../../src/salesforce/rest-client.ts';
import { jsforceConnection } from '../support/emulator.ts';
import { recordingHandler, startHarness, until, WORKER_USER, type Harness } from './ingestion-harness.ts';

let h: Harness;
let testNo = 0;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

/** A fresh state directory per test, so checkpoints and de-dup files never leak between tests. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  testNo++;
  return { LOOM_STATE_DIR: join(h.stateDir, `t${testNo}`), ...extra };
}

const uuids = (jobs: LoomJob[]): string[] => jobs.map((job) => (job.kind === 'sweep' ? '' : job.eventUuid));

describe('embedded ingestion', () => {
  it('delivers REST-published turn events to the handler exactly once, with CreatedById as the requesting user', async () => {
    const handler = recordingHandler();
    const runtime = h.runtime({ handler, env: env() });
    await runtime.start();
    const published = [await h.publishTurn(), await h.publishTurn(), await h.publishTurn()];
    await until(() => handler.jobs.length === 3, 'three jobs');
    await runtime.idle();
    expect(uuids(handler.jobs).sort()).toEqual([...published].sort());
    const officerId = h.emulator.org.userByUsername('officer@lending.test')?.id;
    for (const job of handler.jobs as TurnJob[]) {
      expect(job.kind).toBe('turn');
      expect(job.event.CreatedById).toBe(officerId);
    }
    const { counters } = await runtime.snapshot();
    expect(counters).toMatchObject({ received: 3, enqueued: 3, duplicates: 0, completed: 3, deadLettered: 0 });
    await runtime.close();
  });

  it('never runs a redelivered event twice: replaying everything retained after a restart finds only duplicates', async () => {
    const settings = env();
    const first = recordingHandler();
    const runtime1 = h.runtime({ handler: first, env: settings });
    await runtime1.start();
    const mine = [await h.publishTurn(), await h.publishTurn()];
    await until(() => first.jobs.length === 2, 'two jobs');
    await runtime1.idle();
    await runtime1.close();

    // -2 and no checkpoint would be a full replay; the checkpoint exists, so force the replay by a second subscriber.
    const second = recordingHandler();
    const runtime2 = h.runtime({ handler: second, env: { ...settings, LOOM_REPLAY_FROM: '-2' } });
    await runtime2.start();
    const fresh = await h.publishTurn();
    await until(() => second.jobs.length === 1, 'the new job');
    await runtime2.idle();
    expect(uuids(second.jobs)).toEqual([fresh]);
    mine.push(fresh);
    await runtime2.close();

    // Now everything retained is redelivered (other tests' events too): remove the checkpoint, keep the de-dup file.
    const { rmSync } = await import('node:fs');
    rmSync(join(settings.LOOM_STATE_DIR as string, runtime2.org(), 'checkpoints.json'));
    const third = recordingHandler();
    const runtime3 = h.runtime({ handler: third, env: { ...settings, LOOM_REPLAY_FROM: '-2' } });
    await runtime3.start();
    await until(() => runtime3.metrics.get('duplicates') >= 3, 'the three redeliveries counted as duplicates');
    await runtime3.idle();
    expect(uuids(third.jobs).filter((uuid) => mine.includes(uuid))).toEqual([]);
    expect(runtime3.metrics.get('duplicates')).toBe(3);
    await runtime3.close();
  });

  it('runs a turn once even when two events carry the same execution and turn identifier', async () => {
    const handler = recordingHandler();
    const runtime = h.runtime({ handler, env: env() });
    await runtime.start();
    await h.publishTurn({ TurnIdentifier__c: 'same-turn-1' });
    await h.publishTurn({ TurnIdentifier__c: 'same-turn-1' });
    await until(() => runtime.metrics.get('received') === 2, 'both events');
    await runtime.idle();
    expect(handler.jobs).toHaveLength(1);
    expect(runtime.metrics.get('duplicates')).toBe(1);
    await runtime.close();
  });

  it('loses nothing and repeats nothing when the worker restarts in the middle of a batch', async () => {
    const settings = env({ LOOM_CONCURRENCY: '2' });
    const release: Array<() => void> = [];
    // The first worker finishes two jobs, then its handler hangs until shutdown aborts it.
    let finished = 0;
    const first = recordingHandler(async (_job, signal) => {
      if (finished < 2) {
        finished++;
        return undefined;
      }
      await new Promise<void>((resolve, reject) => {
        release.push(resolve);
        signal.addEventListener('abort', () => reject(new TransientError('aborted by shutdown')), { once: true });
      });
      return undefined;
    });
    const runtime1 = h.runtime({ handler: first, env: settings, tuning: { shutdownGraceMs: 50 } });
    await runtime1.start();
    const published: string[] = [];
    for (let i = 0; i < 6; i++) published.push(await h.publishTurn());
    await until(() => first.jobs.length === 2 && first.running === 2, 'two done, two running');
    await runtime1.close();
    expect(runtime1.metrics.get('handedBack')).toBe(2);

    const second = recordingHandler();
    const runtime2 = h.runtime({ handler: second, env: settings });
    await runtime2.start();
    await until(() => second.jobs.length === 4, 'the four unfinished jobs');
    await runtime2.idle();
    const all = [...uuids(first.jobs), ...uuids(second.jobs)];
    expect(all.sort()).toEqual([...published].sort());
    await runtime2.close();
  });

  it('resumes from the last delivered replay ID after a CometD eviction (403::Unknown client)', async () => {
    const handler = recordingHandler();
    const runtime = h.runtime({ handler, env: env() });
    await runtime.start();
    const published = [await h.publishTurn()];
    await until(() => handler.jobs.length === 1, 'first job');
    expect(h.emulator.admin.evictCometdClients()).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) published.push(await h.publishTurn());
    await until(() => handler.jobs.length === 4, 'jobs after the eviction', 20_000);
    await runtime.idle();
    expect(uuids(handler.jobs).sort()).toEqual([...published].sort());
    expect(runtime.metrics.get('reconnects')).toBeGreaterThanOrEqual(1);
    await runtime.close();
  });

  it('re-authenticates and resubscribes from the last replay ID when the token is revoked', async () => {
    const handler = recordingHandler();
    const runtime = h.runtime({ handler, env: env() });
    await runtime.start();
    const published = [await h.publishTurn()];
    await until(() => handler.jobs.length === 1, 'first job');
    const logins = h.pool.logins.get(WORKER_USER) ?? 0;
    h.emulator.admin.revokeTokens({ username: WORKER_USER });
    await until(() => (h.pool.logins.get(WORKER_USER) ?? 0) > logins, 'a new JWT login');
    for (let i = 0; i < 2; i++) published.push(await h.publishTurn());
    await until(() => handler.jobs.length === 3, 'jobs after re-authentication', 20_000);
    expect(uuids(handler.jobs).sort()).toEqual([...published].sort());
    await runtime.close();
  });

  it('falls back to -2 when the checkpoint is no longer retained, logs the gap and runs what is retained once', async () => {
    const settings = env();
    const first = recordingHandler();
    const runtime1 = h.runtime({ handler: first, env: settings });
    await runtime1.start();
    await h.publishTurn();
    await until(() => first.jobs.length === 1, 'first job');
    await runtime1.idle();
    await runtime1.close();

    await h.publishTurn(); // expires unseen
    h.emulator.admin.purgeEvents({ olderThanHours: 0 });
    const retained = await h.publishTurn();
    const second = recordingHandler();
    const runtime2 = h.runtime({ handler: second, env: settings });
    await runtime2.start();
    await until(() => second.jobs.length === 1, 'the retained event');
    await runtime2.idle();
    expect(uuids(second.jobs)).toEqual([retained]);
    expect(runtime2.metrics.get('replayFallbacks')).toBe(1);
    await runtime2.close();
  });

  it('dead-letters malformed events with the reason and writes an Error step on the execution they name', async () => {
    const worker = await jsforceConnection(h.emulator, WORKER_USER);
    const created = (await worker
      .sobject('AgentExecution__c')
      .create({ ExecutionStatus__c: 'Processing' })) as unknown as { id: string };
    const integration = new SalesforceClient(WORKER_USER, {
      pool: h.pool,
      apiVersion: '62.0',
      meter: new ApiMeter(),
      logger: silentLogger(),
    });
    const handler = recordingHandler();
    const runtime = h.runtime({ handler, env: env(), errorSteps: salesforceErrorSteps(integration) });
    await runtime.start();
    const noExecution = await h.publishTurn({ AgentExecutionId__c: null });
    const noTurn = await h.publishTurn({ AgentExecutionId__c: created.id, TurnIdentifier__c: null });
    const good = await h.publishTurn();
    await until(
      () => handler.jobs.length === 1 && runtime.metrics.get('deadLettered') === 2,
      'one job and two dead letters',
    );
    await runtime.idle();
    expect(uuids(handler.jobs)).toEqual([good]);
    const entries = await runtime.deadLetter().list();
    expect(entries.map((entry) => [entry.eventUuid, entry.reason, entry.errorStep])).toEqual([
      [noExecution, 'malformed:payload', 'not-applicable'],
      [noTurn, 'malformed:payload', 'written'],
    ]);
    expect(entries[1]?.detail).toMatch(/TurnIdentifier__c/);
    const steps = h.emulator.admin.records('ExecutionStep__c').filter((step) => step.AgentExecution__c === created.id);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({
      StepType__c: 'Error',
      IsError__c: true,
      ErrorCategory__c: 'MalformedEvent',
      StepKey__c: `${created.id}-ingest-${noTurn}`,
    });
    await runtime.close();
  });

  it('retries transient failures, dead-letters permanent ones and records handler refusals as security events', async () => {
    const handler = recordingHandler(async (job, _signal, attempt) => {
      const turn = job.kind === 'turn' ? job.event.TurnIdentifier__c : '';
      if (turn.startsWith('flaky') && attempt < 3) throw new TransientError('socket hang up');
      if (turn.startsWith('broken')) throw new PermanentError('agent misconfigured', { category: 'Configuration' });
      if (turn.startsWith('spoof')) return { status: 'refused', detail: 'publisher does not own the execution' };
      return undefined;
    });
    const runtime = h.runtime({ handler, env: env() });
    await runtime.start();
    await h.publishTurn({ TurnIdentifier__c: 'flaky-1' });
    const broken = await h.publishTurn({ TurnIdentifier__c: 'broken-1' });
    const spoof = await h.publishTurn({ TurnIdentifier__c: 'spoof-1' });
    await until(() => runtime.metrics.get('deadLettered') === 2 && handler.jobs.length === 2, 'outcomes');
    await runtime.idle();
    const reasons = (await runtime.deadLetter().list()).map((entry) => [entry.eventUuid, entry.reason]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        [broken, 'failed:Configuration'],
        [spoof, 'security:refused'],
      ]),
    );
    expect(runtime.metrics.get('retried')).toBe(2);
    expect(runtime.metrics.get('securityRefused')).toBe(1);
    await runtime.close();
  });
});
