/**
 * Faults, short version (runs in npm test): the emulator in its own process, a real redis-server with AOF, two
 * scaled-mode worker processes that are SIGKILLed by a scheduler and kill themselves at chosen points (model call,
 * between tool and audit write, around the flush), a Redis crash and restart, and one emulator fault per batch.
 * Afterwards every turn has exactly one answer, no step is duplicated and no Task (the side effect) was created twice.
 * The long version is test/chaos/faults.test.ts. Below it, the regression of a fault inside a tool call.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GAVE_UP_ANSWER, salesforceErrorSteps } from '../../src/ingestion/error-step.ts';
import { TURN_CHANNEL, type TurnJob } from '../../src/runtime/jobs.ts';
import { startTurn } from '../../src/runtime/start-turn.ts';
import { startAbuseKit, USERS, type AbuseKit } from '../support/chaos/abuse-kit.ts';
import { ChaosCluster } from '../support/chaos/cluster.ts';
import { runScenario } from '../support/chaos/scenario.ts';
import { CHAOS_CAPABILITY, CHAOS_SCRIPT } from '../support/chaos/scripts.ts';
import { answersOf } from '../support/runtime.ts';

const SEED = Number(process.env.LOOM_CHAOS_SEED ?? 4242);

describe(`faults (seed ${SEED})`, () => {
  let cluster: ChaosCluster;
  beforeAll(async () => {
    cluster = new ChaosCluster({
      seed: SEED,
      workers: 2,
      kill: process.env.LOOM_CHAOS_NOKILL
        ? { model: 0, afterTool: 0, flushBefore: 0, flushAfter: 0 }
        : { model: 0.02, afterTool: 0.03, flushBefore: 0.02, flushAfter: 0.03 },
    });
    await cluster.start();
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('SIGKILLs, Redis crashes before and during a batch, and emulator faults lose nothing and repeat nothing', async () => {
    const report = await runScenario(cluster, {
      turns: 24,
      batch: 6,
      faults: ['5xx-burst', 'revoke-tokens', 'drop', 'request-limit', 'cometd-evict', 'latency'],
      killEveryMs: process.env.LOOM_CHAOS_NOKILL ? 0 : 300,
      killsPerBatch: 1,
      redisRestartBefore: [2],
      redisRestartDuring: [1],
      batchTimeoutMs: 20_000,
    });
    expect(report.kills, `seed ${SEED}`).toBeGreaterThan(0);
    expect(report.inFlightAtRedisCrash, `seed ${SEED}: Redis must die while turns are in flight`).toBeGreaterThan(0);
    expect(report.lost, `seed ${SEED}; dead letters: ${report.lostReasons.join(' | ')}`).toEqual([]);
    expect(report.duplicated, `seed ${SEED}`).toEqual([]);
    expect(report.sideEffectsRepeated, `seed ${SEED}`).toEqual([]);
    expect(report.wrongAnswers, `seed ${SEED}`).toEqual([]);
    expect(report.identityViolations, `seed ${SEED}`).toEqual([]);
    expect(report.stepKeysUnique).toBe(true);
    expect(report.answered).toBe(24);
  }, 120_000);
});

describe('a fault inside a tool call', () => {
  let kit: AbuseKit;
  let agentId: string;
  beforeAll(async () => {
    kit = await startAbuseKit();
    kit.useScript(CHAOS_SCRIPT);
    agentId = await kit.createAgent('Fault_Agent', [CHAOS_CAPABILITY]);
    // A first turn caches Task's describe, so the faults below hit the create itself.
    expect((await handle((await publish('chaos task warm-up')).job)).status).toBe('completed');
  });
  afterAll(async () => {
    await kit?.close();
  });

  async function publish(message: string): Promise<{ executionId: string; job: TurnJob }> {
    const client = kit.harness.clientFor(USERS.officer);
    const started = await startTurn(client, { agentId, message });
    const event = {
      AgentExecutionId__c: started.executionId,
      InteractionMessageId__c: started.messageId,
      TurnIdentifier__c: started.turnId,
      CreatedById: await client.userId(),
      CreatedDate: new Date().toISOString(),
    };
    return {
      executionId: started.executionId,
      job: {
        kind: 'turn',
        eventUuid: randomUUID(),
        replayId: 1,
        channel: TURN_CHANNEL,
        receivedAt: event.CreatedDate,
        event,
      },
    };
  }

  const tasks = (subject: string) =>
    kit.emulator.admin.records('Task').filter((task) => task.Subject === subject).length;
  const handle = (job: TurnJob) => kit.harness.turnHandler.handle(job, new AbortController().signal);

  it('fails the attempt instead of answering from an outage; the retry runs the rolled-back create once', async () => {
    const { executionId, job } = await publish('chaos task rejected');
    kit.emulator.admin.failNext(1, { status: 503, pathPrefix: '/services/data/v62.0/sobjects/Task' });
    await expect(handle(job)).rejects.toMatchObject({ retryable: true });
    expect(await answersOf(kit.harness, executionId)).toEqual([]);
    expect((await handle(job)).status).toBe('completed');
    expect(tasks('chaos task rejected')).toBe(1);
    expect(await answersOf(kit.harness, executionId)).toEqual([expect.stringMatching(/^Logged task /)]);
  });

  it('an outage while looking up the requesting user fails the attempt; it is retried, never answered with the error', async () => {
    const client = kit.harness.clientFor(USERS.underwriter);
    const started = await startTurn(client, { agentId, message: 'chaos task user lookup' });
    const job: TurnJob = {
      kind: 'turn',
      eventUuid: randomUUID(),
      replayId: 1,
      channel: TURN_CHANNEL,
      receivedAt: new Date().toISOString(),
      event: {
        AgentExecutionId__c: started.executionId,
        InteractionMessageId__c: started.messageId,
        TurnIdentifier__c: started.turnId,
        CreatedById: await client.userId(),
        CreatedDate: new Date().toISOString(),
      },
    };
    kit.emulator.admin.failNext(3, {
      status: 500,
      pathPrefix: '/services/data/v62.0/query',
      soqlContains: 'FROM User WHERE Id',
    });
    await expect(handle(job)).rejects.toMatchObject({ retryable: true });
    expect(await answersOf(kit.harness, started.executionId)).toEqual([]);
    kit.emulator.admin.clearFaults();
    expect((await handle(job)).status).toBe('completed');
    expect(await answersOf(kit.harness, started.executionId)).toEqual([expect.stringMatching(/^Logged task /)]);
  });

  it('after a dropped connection the create is not repeated: the ledger cannot know whether it landed', async () => {
    const { executionId, job } = await publish('chaos task dropped');
    kit.emulator.admin.dropNext(1, { pathPrefix: '/services/data/v62.0/sobjects/Task' });
    await expect(handle(job)).rejects.toMatchObject({ retryable: true });
    expect((await handle(job)).status).toBe('completed');
    expect(tasks('chaos task dropped')).toBe(0);
    expect(await answersOf(kit.harness, executionId)).toEqual(['The task could not be logged.']);
    const steps = await kit.steps(executionId);
    expect(steps.some((step) => step.ErrorCategory__c === 'SideEffectUncertain')).toBe(true);
  });

  it('a turn the queue gives up on is closed with one failure answer, once, and never over a real answer', async () => {
    const writer = salesforceErrorSteps(kit.harness.integration);
    const { executionId, job } = await publish('chaos task abandoned');
    const input = {
      executionId,
      turnId: job.event.TurnIdentifier__c,
      eventUuid: job.eventUuid,
      reason: 'Error: job stalled more than allowable limit',
    };
    expect(await writer.turnFailed(input)).toBe('written');
    expect(await writer.turnFailed(input)).toBe('written');
    expect(await answersOf(kit.harness, executionId)).toEqual([GAVE_UP_ANSWER]);
    const steps = await kit.steps(executionId);
    expect(steps).toEqual([
      expect.objectContaining({
        StepType__c: 'Error',
        ErrorCategory__c: 'TurnAbandoned',
        TurnIdentifier__c: job.event.TurnIdentifier__c,
      }),
    ]);
    const [execution] = kit.emulator.admin.records('AgentExecution__c').filter((record) => record.Id === executionId);
    expect(execution).toMatchObject({ ExecutionStatus__c: 'Failed', LastError__c: 'TurnAbandoned' });
    // A late redelivery does not run the abandoned turn after its requester was told it failed.
    expect((await handle(job)).status).toBe('duplicate');
    expect(tasks('chaos task abandoned')).toBe(0);

    const done = await publish('chaos task finished');
    expect((await handle(done.job)).status).toBe('completed');
    expect(
      await writer.turnFailed({ ...input, executionId: done.executionId, turnId: done.job.event.TurnIdentifier__c }),
    ).toBe('already-answered');
    expect(await answersOf(kit.harness, done.executionId)).toEqual([expect.stringMatching(/^Logged task /)]);
  });
});
