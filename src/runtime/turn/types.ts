/**
 * The turn handler's types: what it is built from, what it hands the hooks that run before the loop (src/hitl), and
 * what it reports. One floor below the turn's steps, so they never import each other for a type.
 */
import type { TokenVault } from '../../governance/pii/index.ts';
import type { LlmProvider } from '../../llm/types.ts';
import type { Logger } from '../../logger.ts';
import type { ApiMeter } from '../../salesforce/api-meter.ts';
import type { CustomPermissions } from '../../salesforce/custom-permissions.ts';
import type { SalesforceClient } from '../../salesforce/rest-client.ts';
import type { AgentConfig, AgentRegistry } from '../agent-registry.ts';
import type { LoopDeps, LoopInput, LoopResult } from '../governed-loop.ts';
import type { JobOutcome } from '../jobs.ts';
import type { OrgSettingsSource } from '../org-settings.ts';
import type { HitlGate, TurnTrust } from '../ports.ts';
import type { SideEffectLedger } from '../side-effect-ledger.ts';
import type { ToolHistory } from '../tool-call.ts';
import type { DescribeCache } from '../tools/describe-cache.ts';
import type { ToolSettings } from '../tools/tool-settings.ts';
import type { AccessGuard, TurnContext } from '../turn-context.ts';
import type { TurnRecorder } from '../turn-recorder.ts';

export interface TurnHandlerDeps {
  logger: Logger;
  meter: ApiMeter;
  /** The worker's integration user: Loom's own records only, never business data. */
  integration: SalesforceClient;
  /** A client acting as the given user (their own JWT session). */
  clientFor: (username: string) => SalesforceClient;
  providerFor: (agent: AgentConfig) => LlmProvider;
  vault: TokenVault;
  /** Builds the runtime-enforced approval gate for a turn (see src/hitl). */
  gateFor: (turn: {
    agent: AgentConfig;
    execution: TurnContext['execution'];
    turnId: string;
    userId: string;
    recorder: TurnRecorder;
    trust?: TurnTrust;
  }) => HitlGate;
  /** Runs before the model in every turn (src/hitl: a pending confirmation answered by this message). */
  beforeLoop?: (setup: TurnSetup, message: string) => Promise<Prelude | null>;
  /** User IDs allowed to publish turns for executions they do not own (service publishers). */
  trustedPublishers?: string[];
  /** The worker's half of the opt-in service identity: agent developer name → service username. */
  serviceIdentities?: Record<string, string>;
  defaultModel?: string;
  registry?: AgentRegistry;
  describes?: DescribeCache;
  /** Told after each turn's audit write (metrics, callers waiting for a synchronous answer); must not throw. */
  onTurnWritten?: (turn: TurnWritten) => void;
  /** Side effects run at most once per tool call across retries (Redis in scaled mode, a file embedded; memory by default). */
  ledger?: SideEffectLedger;
  /** The worker's side of tool policy: callout allow-list and the environment header secrets come from. */
  tools?: ToolSettings;
  /** How often a long turn re-reads its execution to stop early once a newer turn exists (default 10 s; the final write is guarded regardless). */
  staleCheckMs?: number;
  /** Custom permission answers, shared with the decision handler so each user costs one call per cache window. */
  permissions?: CustomPermissions;
  /** The org-level Loom settings (kill switch, PII requirement, defaults); package defaults when absent. */
  settings?: OrgSettingsSource;
}

/** The handler's dependencies with its defaults filled in: what every step of a turn reads. */
export interface TurnServices extends TurnHandlerDeps {
  registry: AgentRegistry;
  describes: DescribeCache;
  guard: AccessGuard;
  ledger: SideEffectLedger;
}

/** What one turn wrote in its final composite call. */
export interface TurnWritten {
  executionId: string;
  turnId: string;
  status: 'Completed' | 'Awaiting Action' | 'Failed';
  /** The answer shown to the requesting user (null when the turn wrote none). */
  responseText: string | null;
  /** The `ExecutionStep__c` rows as written. */
  steps: ReadonlyArray<Record<string, unknown>>;
  totalTokens: number;
  costUsd: number;
}

/** Everything a turn prepared before calling the model; handed to hooks that act before the loop (HITL). */
export interface TurnSetup {
  agent: AgentConfig;
  context: TurnContext;
  turnId: string;
  /** The requesting user's ID. */
  owner: string;
  recorder: TurnRecorder;
  trust: TurnTrust;
  gate: HitlGate;
  /** The loop input without history and user message (they depend on the prelude). */
  input: Omit<LoopInput, 'history' | 'userMessage'>;
  loopDeps: LoopDeps;
  log: Logger;
}

/**
 * What runs before the model: either stop with a result, or continue the loop. When a prelude ran, history includes
 * this turn's rows (stored and just recorded), so a held call's late result lands right after its request.
 */
export type Prelude = { stop: LoopResult } | { userMessage: string | null; toolHistory?: ToolHistory };

/** A new turn's own prelude: no hook claimed the message, so the loop starts from it with earlier turns as history. */
export type FreshPrelude = Prelude & { fresh: true };

/** Continues a turn that waited for a person (src/hitl), with the same setup and checks as a new turn. */
export interface TurnResumer {
  resume(
    request: {
      executionId: string;
      turnId: string;
      firstSequence?: number;
      /**
       * Who the held call was signed for (src/hitl): the resumed turn runs as this requester with this agent, whatever
       * the execution says now, so an execution edited after the hold cannot change whose session or tools run.
       */
      identity?: HeldTurnIdentity;
      prelude: (setup: TurnSetup) => Promise<Prelude>;
    },
    signal: AbortSignal,
  ): Promise<ResumedOutcome>;
}

/** The requester and agent a resumed turn must run as (verified by the pending action's signature). */
export interface HeldTurnIdentity {
  requesterId: string;
  agentId: string;
}

/** A resumed turn's outcome, with the first sequence number its turn has left free (for rows written after it). */
export type ResumedOutcome = JobOutcome & { nextSequence: number };

/** Why a turn is refused: the error category and the message the requester reads. */
export interface Refusal {
  category: string;
  message: string;
}
