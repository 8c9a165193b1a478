import { z } from 'zod';
import { LoomError, PermanentError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { SalesforceId } from '../runtime/jobs.ts';
import { MAX_TURN_ID_LENGTH, recordTurn } from '../runtime/start-turn.ts';
import { directTurnJob } from '../ingestion/reconcile.ts';
import type { TurnJob } from '../runtime/jobs.ts';
import type { TurnWritten } from '../runtime/turn-handler.ts';
import { AGENTS_DISABLED_MESSAGE, type OrgSettingsSource } from '../runtime/org-settings.ts';
import { AccessGuard } from '../runtime/turn-context.ts';
import { TokenGrantError } from '../salesforce/jwt.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import type { TurnWaiter } from './turn-waiter.ts';

/** The body `AgentWorkerClient` (Apex) posts through the `Loom_Worker` Named Credential. */
export const TurnRequestBody = z
  .object({
    agentDeveloperName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'must be an agent DeveloperName__c (letters, digits, underscores)'),
    message: z.string().trim().min(1, 'must not be empty').max(131_072),
    sourceRecordId: SalesforceId.nullish(),
    requestingUserId: SalesforceId,
    organizationId: SalesforceId,
    turnIdentifier: z.string().min(1).max(MAX_TURN_ID_LENGTH).nullish(),
  })
  .strict();
export type TurnRequestBody = z.infer<typeof TurnRequestBody>;

/** What `/v1/turns` answers; `AgentWorkerClient.interpret` reads exactly these keys. */
export interface TurnResponseBody {
  executionId: string;
  status: string;
  turnIdentifier: string;
  responseText: string | null;
}

/** A refusal with the HTTP status it maps to and a message safe to show the caller. */
export class TurnRequestError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'TurnRequestError';
  }
}

export interface TurnServiceDeps {
  /** The worker's integration user: looks up the requesting user's username, nothing else. */
  integration: SalesforceClient;
  /** A client with the given user's own JWT session: the turn is started AS the requesting user. */
  clientFor(username: string): SalesforceClient;
  /** The org this worker serves (from the integration user's session). */
  orgId(): Promise<string>;
  waiter: TurnWaiter;
  logger: Logger;
  /**
   * Enqueues the recorded turn (the job its request event would have become). `not-leader`: this process has no intake
   * (a scaled-mode follower); the leader's reconciliation sweep then starts the same job after its grace period.
   */
  submit(job: TurnJob): Promise<'enqueued' | 'duplicate' | 'not-leader'>;
  /** Scaled mode: the turn may run in another process, so also poll Salesforce for the result at this interval. */
  pollIntervalMs?: number;
  /** The org-level Loom settings: the kill switch refuses requests before any record is written. */
  settings?: OrgSettingsSource;
}

const sameId = (a: string, b: string): boolean => a.slice(0, 15) === b.slice(0, 15);

/**
 * Starts a turn requested over HTTP (an Apex callout) as the requesting user — never as the integration user — and
 * optionally waits for its result.
 */
export class TurnService {
  private readonly guard: AccessGuard;

  constructor(private readonly deps: TurnServiceDeps) {
    this.guard = new AccessGuard(deps.integration);
  }

  async start(body: TurnRequestBody): Promise<{ executionId: string; turnIdentifier: string }> {
    let orgId: string;
    try {
      orgId = await this.deps.orgId();
    } catch (error) {
      throw mapError(error, 503);
    }
    if (!sameId(body.organizationId, orgId))
      throw new TurnRequestError(403, 'organizationId does not match the org this worker serves.');
    let disabled: boolean;
    try {
      disabled = (await this.deps.settings?.get())?.agentsDisabled ?? false;
    } catch (error) {
      throw mapError(error, 503);
    }
    if (disabled) throw new TurnRequestError(403, AGENTS_DISABLED_MESSAGE);
    let username: string;
    try {
      username = await this.guard.username(body.requestingUserId);
    } catch (error) {
      throw mapError(error, 403);
    }
    const client = this.deps.clientFor(username);
    try {
      const { records } = await client.query<{ Id: string }>(
        `SELECT Id FROM AIAgentDefinition__c WHERE DeveloperName__c = '${body.agentDeveloperName}' AND IsActive__c = true LIMIT 1`,
      );
      const agent = records[0];
      if (!agent)
        throw new TurnRequestError(
          404,
          `No active agent named ${body.agentDeveloperName} is visible to the requesting user.`,
        );
      const started = await recordTurn(client, {
        agentId: agent.Id,
        message: body.message,
        triggerSource: 'Apex',
        ...(body.sourceRecordId ? { sourceRecordId: body.sourceRecordId } : {}),
        ...(body.turnIdentifier ? { turnId: body.turnIdentifier } : {}),
      });
      const requestedBy = await client.userId();
      const submitted = await this.deps.submit(
        directTurnJob(
          {
            executionId: started.executionId,
            turnId: started.turnId,
            messageId: started.messageId,
            requestedBy,
            requestedAt: new Date().toISOString(),
          },
          new Date(),
        ),
      );
      this.deps.logger.info(
        { executionId: started.executionId, turnId: started.turnId, userId: body.requestingUserId, submitted },
        submitted === 'not-leader'
          ? 'turn recorded over HTTP; the reconciliation sweep of the leader will start it'
          : 'turn started over HTTP',
      );
      return { executionId: started.executionId, turnIdentifier: started.turnId };
    } catch (error) {
      throw mapError(error, 403);
    }
  }

  /** Waits (bounded) for the turn; on timeout the answer says it is still running. */
  async waitFor(
    started: { executionId: string; turnIdentifier: string },
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<TurnResponseBody> {
    const poll = this.deps.pollIntervalMs ? this.poll(started, timeoutMs, signal) : undefined;
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const turn = await Promise.race([
        this.deps.waiter.wait(started.turnIdentifier, timeoutMs, controller.signal),
        ...(poll ? [poll] : []),
      ]);
      return turn ? toBody(turn) : { ...started, status: 'Processing', responseText: null };
    } finally {
      controller.abort();
      signal?.removeEventListener('abort', abort);
    }
  }

  /** Reads the execution until the turn has written its answer (another worker process ran it). */
  private async poll(
    started: { executionId: string; turnIdentifier: string },
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<TurnWritten | undefined> {
    const deadline = Date.now() + timeoutMs;
    const interval = this.deps.pollIntervalMs ?? 3_000;
    while (Date.now() + interval < deadline && !signal?.aborted) {
      await new Promise((resolve) => setTimeout(resolve, interval));
      if (signal?.aborted) return undefined;
      const { records } = await this.deps.integration.query<{
        ExecutionStatus__c: string;
        CurrentTurnIdentifier__c: string | null;
      }>(
        `SELECT ExecutionStatus__c, CurrentTurnIdentifier__c FROM AgentExecution__c WHERE Id = '${started.executionId}'`,
      );
      const execution = records[0];
      const status = execution?.ExecutionStatus__c;
      if (execution?.CurrentTurnIdentifier__c !== started.turnIdentifier) continue;
      if (status !== 'Completed' && status !== 'Failed' && status !== 'Awaiting Action') continue;
      const messages = await this.deps.integration.query<{ Content__c: string | null }>(
        `SELECT Content__c FROM InteractionMessage__c WHERE AgentExecution__c = '${started.executionId}' AND Direction__c = 'Outbound' AND TurnIdentifier__c = '${started.turnIdentifier.replace(/'/g, "\\'")}' ORDER BY CreatedDate DESC LIMIT 1`,
      );
      return {
        executionId: started.executionId,
        turnId: started.turnIdentifier,
        status,
        responseText: messages.records[0]?.Content__c ?? null,
        steps: [],
        totalTokens: 0,
        costUsd: 0,
      };
    }
    return undefined;
  }
}

function toBody(turn: TurnWritten): TurnResponseBody {
  return {
    executionId: turn.executionId,
    status: turn.status,
    turnIdentifier: turn.turnId,
    responseText: turn.responseText,
  };
}

/** Salesforce refusals become 4xx with their message; transient failures 503 (Apex reports "busy, try later"). */
function mapError(error: unknown, refusedStatus: number): TurnRequestError {
  if (error instanceof TurnRequestError) return error;
  if (error instanceof TokenGrantError)
    return new TurnRequestError(
      refusedStatus,
      `The requesting user cannot use the worker: ${error.error} (${error.description}).`,
    );
  if (error instanceof PermanentError && error.category === 'InvalidInput')
    return new TurnRequestError(400, error.message);
  if (error instanceof LoomError && error.retryable)
    return new TurnRequestError(503, 'Salesforce is unavailable or the API allocation is spent; try again later.');
  if (error instanceof LoomError) return new TurnRequestError(refusedStatus, error.message);
  return new TurnRequestError(500, 'Internal error while starting the turn.');
}
