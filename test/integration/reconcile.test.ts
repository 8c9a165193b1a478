/**
 * The reconciliation sweep through `startService` (what `loom worker` runs), with the emulator, real JWT sessions, the
 * production turn handler and the scripted lending agent. A turn whose AgentTurnRequest__e never reaches the worker is
 * written exactly as AgentTurnService writes it — message and CurrentTurnIdentifier__c in one transaction as the user —
 * only without the event, which is what a delivery gap leaves behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LENDING_SCRIPT, provisionLendingAgent } from '../../src/dev/lending-agent.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import type { LlmProvider } from '../../src/llm/types.ts';
import { silentLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/ops/service.ts';
import { startTurnReconciler } from '../../src/ops/turn-reconciler.ts';
import type { SalesforceClient } from '../../src/salesforce/rest-client.ts';
import { startTurn } from '../../src/runtime/start-turn.ts';
import { devCredentials, startTestEmulator } from '../support/emulator.ts';
import { startRedis, uniquePrefix, type RedisHandle } from '../support/redis.ts';

const OFFICER = 'officer@lending.test';
const OFFICER2 = 'officer2@lending.test';
const GRACE_MS = 1_000;

let emulator: EmulatorHandle;
let stateDir: string;
let env: Record<string, string>;
let service: Service;
let agentId: string;

/** The model: the lending script, but a message containing "hold" waits in the model call until released. */
const gate = {
  entered: 0,
  release: (): void => undefined,
  opened: Promise.resolve(),
  close(): void {
    this.opened = new Promise<void>((resolve) => (this.release = resolve));
  },
};
const scripted = new ScriptedProvider(LENDING_SCRIPT);
const provider: LlmProvider = {
  name: 'gated-lending',
  async complete(request) {
    const last = request.messages.at(-1);
    if (last?.role === 'user' && last.content.includes('hold')) {
      gate.entered += 1;
      await gate.opened;
    }
    return scripted.complete(request);
  },
};

async function until<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const userId = (username: string): string => emulator.org.userByUsername(username)?.id ?? '';
const same = (a: unknown, b: string): boolean => String(a ?? '').slice(0, 15) === b.slice(0, 15);

interface Started {
  executionId: string;
  sessionId: string;
  messageId: string;
  turnId: string;
}

/**
 * What AgentTurnService / startTurn write in the user's own transaction — session, execution with
 * CurrentTurnIdentifier__c, inbound message — without the AgentTurnRequest__e: the state a lost event leaves.
 * `requestingUser` overrides RequestingUser__c (the identity tests).
 */
async function startedWithoutEvent(
  client: SalesforceClient,
  message: string,
  options: { requestingUser?: string } = {},
): Promise<Started> {
  const base = `/services/data/v${client.apiVersion}`;
  const turnId = `lost-${Math.random().toString(36).slice(2, 10)}`;
  const user = options.requestingUser ?? (await client.userId());
  const response = await client.request<{
    compositeResponse: Array<{ referenceId: string; httpStatusCode: number; body: { id?: string } }>;
  }>('POST', '/composite', {
    allOrNone: true,
    compositeRequest: [
      {
        method: 'POST',
        url: `${base}/sobjects/InteractionSession__c`,
        referenceId: 'session',
        body: { AIAgentDefinition__c: agentId, ParticipantUser__c: await client.userId(), Channel__c: 'Direct' },
      },
      {
        method: 'POST',
        url: `${base}/sobjects/AgentExecution__c`,
        referenceId: 'execution',
        body: {
          AIAgentDefinition__c: agentId,
          RequestingUser__c: user,
          CurrentTurnIdentifier__c: turnId,
          TriggerSource__c: 'API',
          InteractionSession__c: '@{session.id}',
        },
      },
      {
        method: 'POST',
        url: `${base}/sobjects/InteractionMessage__c`,
        referenceId: 'message',
        body: {
          InteractionSession__c: '@{session.id}',
          AgentExecution__c: '@{execution.id}',
          Role__c: 'User',
          Direction__c: 'Inbound',
          Content__c: message,
          TurnIdentifier__c: turnId,
          Channel__c: 'Direct',
        },
      },
    ],
  });
  const failed = response.compositeResponse.find((sub) => sub.httpStatusCode >= 400);
  if (failed) throw new Error(`could not write the turn: ${JSON.stringify(failed.body)}`);
  const id = (ref: string): string =>
    String(response.compositeResponse.find((sub) => sub.referenceId === ref)?.body.id ?? '');
  return { executionId: id('execution'), sessionId: id('session'), messageId: id('message'), turnId };
}

/** The event that never came, published late by the same user. */
/** The turn's own event arriving late, published as AgentTurnService publishes it (system context, as the user). */
async function publishLate(client: SalesforceClient, turn: Started): Promise<void> {
  const publisher = await client.userId();
  emulator.org.create(emulator.org.systemAccess(publisher), 'AgentTurnRequest__e', {
    AgentExecutionId__c: turn.executionId,
    InteractionMessageId__c: turn.messageId,
    TurnIdentifier__c: turn.turnId,
  });
}

const answersOf = (turnId: string) =>
  emulator.admin
    .records('InteractionMessage__c')
    .filter((m) => m.TurnIdentifier__c === turnId && m.Direction__c === 'Outbound');
const stepsOf = (turnId: string, type?: string) =>
  emulator.admin
    .records('ExecutionStep__c')
    .filter((s) => s.TurnIdentifier__c === turnId && (type === undefined || s.StepType__c === type));
const decisionsOf = (turnId: string) =>
  emulator.admin.records('AgentDecisionStep__c').filter((d) => d.TurnIdentifier__c === turnId);

/** Sweeps until one finds something and returns its result (a turn becomes eligible once older than the grace period). */
async function sweepUntil(
  target: Service,
  what: string,
  accept: (result: NonNullable<Awaited<ReturnType<NonNullable<Service['reconciler']>['runOnce']>>>) => boolean,
) {
  return until(async () => {
    const result = await target.reconciler?.runOnce('test');
    return result && accept(result) ? result : undefined;
  }, what);
}

function serviceEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const { app, privateKeyFile } = devCredentials(emulator);
  return {
    SF_LOGIN_URL: emulator.url,
    SF_CLIENT_ID: app.consumerKey,
    SF_PRIVATE_KEY_FILE: privateKeyFile,
    SF_INTEGRATION_USERNAME: 'worker@lending.test',
    LOOM_STATE_DIR: dir,
    // Sweeps run when a test asks (runOnce); the interval itself is exercised by the scaled-mode test.
    LOOM_RECONCILE_MS: '3600000',
    LOOM_RECONCILE_GRACE_MS: String(GRACE_MS),
    ...extra,
  };
}

const TUNING = { shutdownGraceMs: 2_000, fayeRetrySeconds: 0.2, restartBaseMs: 50 };

beforeAll(async () => {
  emulator = await startTestEmulator({ cometdTimeoutMs: 1_000 });
  stateDir = mkdtempSync(join(tmpdir(), 'loom-reconcile-'));
  env = serviceEnv(stateDir);
  service = await startService({ env, logger: silentLogger(), provider, http: false, tuning: TUNING });
  agentId = await provisionLendingAgent(service.runtime.clientFor('admin@lending.test'));
});

afterAll(async () => {
  gate.release();
  await service?.close();
  await emulator?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the reconciliation sweep (embedded)', () => {
  it('answers a turn whose event never arrived, exactly once, as the user who wrote the message, and says so in the audit trail', async () => {
    const officer = service.runtime.clientFor(OFFICER);
    const reconciledBefore = service.worker.metrics.get('reconciled');
    const logStart = emulator.admin.requestLog().at(-1)?.seq ?? 0;
    const turn = await startedWithoutEvent(officer, 'How many open applications do I have?');

    const swept = await sweepUntil(service, 'a sweep that enqueues the turn', (result) => result.enqueued > 0);
    expect(swept.enqueued).toBe(1);
    const written = await service.waiter.wait(turn.turnId, 20_000);
    expect(written?.status).toBe('Completed');
    expect(written?.responseText).toMatch(/^I found \d+ matching application/);
    await service.worker.idle();

    expect(answersOf(turn.turnId)).toHaveLength(1);
    expect(stepsOf(turn.turnId, 'AgentResponse')).toHaveLength(1);
    expect(decisionsOf(turn.turnId).map((d) => d.Title__c)).toContain('Turn recovered by the reconciliation sweep');
    expect(service.worker.metrics.get('reconciled')).toBe(reconciledBefore + 1);
    const execution = emulator.admin.records('AgentExecution__c').find((e) => e.Id === turn.executionId);
    expect(execution?.ExecutionStatus__c).toBe('Completed');
    // The tool ran with the message creator's own session: business reads by the officer, none by anyone else.
    const business = emulator.admin
      .requestLog()
      .filter(
        (entry) =>
          entry.seq > logStart && entry.path.includes('/query') && entry.userId !== userId('worker@lending.test'),
      );
    expect(business.length).toBeGreaterThan(0);
    expect(new Set(business.map((entry) => entry.userId))).toEqual(new Set([userId(OFFICER)]));

    // The turn is written now: later sweeps do not find it again.
    const again = await service.reconciler?.runOnce('again');
    expect(again?.found).toBe(0);
    expect(answersOf(turn.turnId)).toHaveLength(1);
    expect(service.worker.metrics.get('reconciled')).toBe(reconciledBefore + 1);
  });

  it('drops the original event by de-duplication when it arrives after the sweep ran the turn', async () => {
    const officer = service.runtime.clientFor(OFFICER);
    const turn = await startedWithoutEvent(officer, 'Please summarise my pipeline.');
    await sweepUntil(service, 'a sweep that enqueues the turn', (result) => result.enqueued > 0);
    expect((await service.waiter.wait(turn.turnId, 20_000))?.status).toBe('Completed');
    await service.worker.idle();
    const before = service.worker.metrics.snapshot().counters;

    await publishLate(officer, turn);
    await until(() => service.worker.metrics.get('received') > before.received, 'the late event to arrive');
    await service.worker.idle();

    const after = service.worker.metrics.snapshot().counters;
    expect(after.duplicates).toBe(before.duplicates + 1); // claimed by the sweep's turn key
    expect(after.completed).toBe(before.completed); // no job ran for it
    expect(answersOf(turn.turnId)).toHaveLength(1);
    expect(stepsOf(turn.turnId, 'AgentResponse')).toHaveLength(1);
  });

  it('does not start a second run of a turn whose event arrived and is still running', async () => {
    const officer = service.runtime.clientFor(OFFICER);
    const reconciledBefore = service.worker.metrics.get('reconciled');
    const completedBefore = service.worker.metrics.get('completed');
    gate.close();
    gate.entered = 0;
    const turn = await startTurn(officer, { agentId, message: 'Please hold while you look at my pipeline.' });
    await until(() => gate.entered === 1, 'the turn to reach the model');

    // Older than the grace period, still Pending with no answer: it looks unclaimed, but its event's claim holds it.
    const swept = await sweepUntil(service, 'a sweep that considers the running turn', (result) => result.found > 0);
    expect(swept).toMatchObject({ enqueued: 0, duplicate: swept.found });
    gate.release();
    expect((await service.waiter.wait(turn.turnId, 20_000))?.status).toBe('Completed');
    await service.worker.idle();

    expect(gate.entered).toBe(1);
    expect(service.worker.metrics.get('reconciled')).toBe(reconciledBefore);
    expect(service.worker.metrics.get('completed')).toBe(completedBefore + 1);
    expect(answersOf(turn.turnId)).toHaveLength(1);
    expect(decisionsOf(turn.turnId).map((d) => d.Title__c)).not.toContain('Turn recovered by the reconciliation sweep');
  });

  it('leaves a turn younger than the grace period alone', async () => {
    const officer = service.runtime.clientFor(OFFICER);
    const patient = startTurnReconciler({
      integration: service.runtime.integration,
      worker: service.worker,
      intervalMs: 3_600_000,
      graceMs: 3_600_000,
      shouldRun: () => true,
      logger: silentLogger(),
    });
    try {
      const reconciledBefore = service.worker.metrics.get('reconciled');
      const turn = await startedWithoutEvent(officer, 'How many open applications do I have?');
      const result = await patient.runOnce('young');
      expect(result).toMatchObject({ found: 0, enqueued: 0 });
      await service.worker.idle();
      expect(service.worker.metrics.get('reconciled')).toBe(reconciledBefore);
      expect(answersOf(turn.turnId)).toHaveLength(0);
      expect(stepsOf(turn.turnId)).toHaveLength(0);

      // Only its age held it back: with the service's 1 s grace the same turn is swept and answered.
      await sweepUntil(service, 'the turn to age past the grace period', (r) => r.enqueued > 0);
      expect((await service.waiter.wait(turn.turnId, 20_000))?.status).toBe('Completed');
    } finally {
      await patient.stop();
    }
  });

  it('takes the requesting user from the message creator only: a message written by someone other than the owner is refused', async () => {
    const officer = service.runtime.clientFor(OFFICER);
    // The execution names officer2 as its requester, but officer wrote the turn's message (and so started the turn).
    const turn = await startedWithoutEvent(officer, 'How many open applications do I have?', {
      requestingUser: userId(OFFICER2),
    });
    const logStart = emulator.admin.requestLog().at(-1)?.seq ?? 0;
    await sweepUntil(service, 'a sweep that enqueues the turn', (result) => result.enqueued > 0);
    const entry = await until(
      async () => (await service.worker.deadLetter().list()).find((e) => e.executionId === turn.executionId),
      'the refusal',
    );
    expect(entry.reason).toBe('security:refused');
    const job = entry.raw as { reconciled?: boolean; event: { CreatedById: string } };
    expect(job.reconciled).toBe(true);
    expect(same(job.event.CreatedById, userId(OFFICER))).toBe(true);
    expect(stepsOf(turn.turnId).map((s) => s.ErrorCategory__c)).toContain('SecurityViolation');
    // Nothing ran as either user: no request with a business user's token.
    const business = emulator.admin
      .requestLog()
      .filter((e) => e.seq > logStart && e.userId !== null && e.userId !== userId('worker@lending.test'));
    expect(business).toEqual([]);
  });

  it('survives a failing sweep: the error is logged, the worker keeps running and the next sweep works', async () => {
    await service.worker.idle();
    emulator.admin.failNext(1, { status: 503, pathPrefix: '/services/data/v62.0/query' });
    expect(await service.reconciler?.runOnce('failing')).toBeUndefined();
    emulator.admin.clearFaults();
    const next = await service.reconciler?.runOnce('recovered');
    expect(next).toBeDefined();
    expect(service.worker.isLeader()).toBe(true);
  });
});

describe('the reconciliation sweep (scaled)', () => {
  let redis: RedisHandle;
  const services: Service[] = [];

  beforeAll(async () => {
    // One subscriber per org: the embedded service would also receive the late event below.
    await service.close();
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.allSettled(services.map((s) => s.close()));
    await redis?.cleanup();
  });

  it('sweeps on the leader only, on its interval, and the late event is dropped by the shared de-duplication', async () => {
    const scaled = { REDIS_URL: redis.url, LOOM_QUEUE_PREFIX: uniquePrefix('reconcile'), LOOM_RECONCILE_MS: '1000' };
    const leader = await startService({
      env: serviceEnv(join(stateDir, 'a'), scaled),
      logger: silentLogger(),
      provider,
      http: false,
      tuning: { ...TUNING, leaderTtlMs: 60_000 },
    });
    services.push(leader);
    const follower = await startService({
      env: serviceEnv(join(stateDir, 'b'), scaled),
      logger: silentLogger(),
      provider,
      http: false,
      tuning: { ...TUNING, leaderTtlMs: 60_000 },
    });
    services.push(follower);
    expect([leader.worker.isLeader(), follower.worker.isLeader()]).toEqual([true, false]);

    // The follower does not sweep: no result and not one API call.
    const calls = follower.runtime.meter.total;
    expect(await follower.reconciler?.runOnce('follower')).toBeUndefined();
    expect(follower.runtime.meter.total).toBe(calls);

    // Nobody calls runOnce here: the leader's interval finds the turn.
    const officer = leader.runtime.clientFor(OFFICER);
    const turn = await startedWithoutEvent(officer, 'How many open applications do I have?');
    const completed = () => leader.worker.metrics.get('completed') + follower.worker.metrics.get('completed');
    await until(() => completed() === 1, 'the swept turn to run');
    expect(answersOf(turn.turnId)).toHaveLength(1);
    expect(decisionsOf(turn.turnId).map((d) => d.Title__c)).toContain('Turn recovered by the reconciliation sweep');
    expect(leader.worker.metrics.get('reconciled')).toBe(1);
    expect(follower.worker.metrics.get('reconciled')).toBe(0);

    const before = { completed: completed(), duplicates: leader.worker.metrics.get('duplicates') };
    await publishLate(officer, turn);
    await until(() => leader.worker.metrics.get('duplicates') > before.duplicates, 'the late event to be dropped');
    await leader.worker.idle();
    expect(completed()).toBe(before.completed);
    expect(answersOf(turn.turnId)).toHaveLength(1);
    expect(stepsOf(turn.turnId, 'AgentResponse')).toHaveLength(1);
  });
});
