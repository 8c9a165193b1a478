import { compileToolGraph } from '../governance/tool-graph/index.ts';
import type { TokenVault } from '../governance/pii/index.ts';
import { LoomError } from '../errors.ts';
import type { LlmProvider } from '../llm/types.ts';
import type { Logger } from '../logger.ts';
import type { ApiMeter } from '../salesforce/api-meter.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import { AgentRegistry, type AgentConfig } from './agent-registry.ts';
import { writeTurn } from './audit-writer.ts';
import { runGovernedLoop, type LoopDeps, type LoopInput, type LoopResult } from './governed-loop.ts';
import { rebuildHistory, type StepRow } from './history.ts';
import { TurnJob, type JobHandler, type JobOutcome, type LoomJob } from './jobs.ts';
import type { HitlGate, ToolDefinition, ToolGate, TurnTrust } from './ports.ts';
import type { ToolHistory } from './tool-call.ts';
import { AccessGuard, loadTurnContext, type TurnContext } from './turn-context.ts';
import type { CustomPermissions } from '../salesforce/custom-permissions.ts';
import { AGENTS_DISABLED_MESSAGE, applyOrgSettings, PACKAGE_DEFAULTS, type OrgSettingsSource } from './org-settings.ts';
import { LedgeredExecutor, MemorySideEffectLedger, type SideEffectLedger } from './side-effect-ledger.ts';
import { TurnRecorder } from './turn-recorder.ts';
import { createTurnTrust } from './turn-trust.ts';
import { DescribeCache } from './tools/describe-cache.ts';
import { toolsForUser, UserToolExecutor, validateArguments } from './tools/toolbox.ts';
import type { ToolSettings } from './tools/tool-settings.ts';

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

/** Terminal step types: a turn that already wrote one of these has finished, whatever a redelivery says. */
const TERMINAL = new Set(['AgentResponse']);

/** Creates the handler for `turn` jobs: one governed agent turn, run as the requesting user, fully audited. */
export function createTurnHandler(deps: TurnHandlerDeps): JobHandler & TurnResumer {
  const registry = deps.registry ?? new AgentRegistry(deps.integration);
  const describes = deps.describes ?? new DescribeCache();
  const guard = new AccessGuard(deps.integration, undefined, undefined, deps.permissions);
  const ledger = deps.ledger ?? new MemorySideEffectLedger();

  return {
    async handle(job: LoomJob, signal: AbortSignal): Promise<JobOutcome> {
      if (job.kind !== 'turn') return { status: 'ignored', detail: `not a turn job: ${job.kind}` };
      const { event } = TurnJob.parse(job);
      const log = deps.logger.child({
        executionId: event.AgentExecutionId__c,
        turnId: event.TurnIdentifier__c,
        eventUuid: job.eventUuid,
      });
      const { result, scope } = await deps.meter.scope(async () =>
        deps.meter.withTurn(event.TurnIdentifier__c, () => runTurn(job, log, signal)),
      );
      log.info({ status: result.status, apiCalls: scope.calls }, 'turn finished');
      return { ...result, apiCalls: scope.calls };
    },
    async resume(request, signal): Promise<ResumedOutcome> {
      const log = deps.logger.child({ executionId: request.executionId, turnId: request.turnId, resumed: true });
      const context = await loadTurnContext(deps.integration, { executionId: request.executionId, messageId: null });
      const recorder = new TurnRecorder(
        context.execution.Id,
        request.turnId,
        request.firstSequence ?? nextSequence(context, request.turnId),
      );
      const outcome = await deps.meter.withTurn(request.turnId, () =>
        runChecked(context, request.turnId, recorder, log, signal, request.prelude, request.identity),
      );
      return { ...outcome, nextSequence: recorder.nextSequence };
    },
  };

  async function runTurn(job: TurnJob, log: Logger, signal: AbortSignal): Promise<JobOutcome> {
    const { event } = job;
    const context = await loadTurnContext(deps.integration, {
      executionId: event.AgentExecutionId__c,
      messageId: event.InteractionMessageId__c,
    });
    const { execution } = context;
    const turnId = event.TurnIdentifier__c;
    const recorder = new TurnRecorder(execution.Id, turnId, nextSequence(context, turnId));

    if (execution.CurrentTurnIdentifier__c && execution.CurrentTurnIdentifier__c !== turnId) {
      log.warn({ current: execution.CurrentTurnIdentifier__c }, 'stale turn: a newer turn exists; nothing written');
      return { status: 'stale' };
    }
    // A turn's first write is one atomic composite call, so any step of this turn means it already ran.
    if (context.steps.some((step) => step.TurnIdentifier__c === turnId)) {
      const final = context.steps.some((step) => step.TurnIdentifier__c === turnId && TERMINAL.has(step.StepType__c));
      return {
        status: 'duplicate',
        detail: final ? 'this turn already has a final answer' : 'this turn already ran and is waiting for a decision',
      };
    }

    if (job.reconciled) {
      // Audit-visible: this turn's event never reached the worker; the reconciliation sweep started it from the stored message.
      log.warn(
        { requestedBy: event.CreatedById, requestedAt: event.CreatedDate },
        'turn recovered by the reconciliation sweep: its event never arrived',
      );
      recorder.decision({
        title: 'Turn recovered by the reconciliation sweep',
        detail: `No AgentTurnRequest__e event for this turn reached the worker, so the reconciliation sweep started it from the message ${event.InteractionMessageId__c ?? ''} that ${event.CreatedById} sent at ${event.CreatedDate}.`,
        outcome: 'Failure',
      });
    }
    const owner = execution.RequestingUser__c ?? execution.OwnerId;
    const publisher = event.CreatedById;
    const trusted = (deps.trustedPublishers ?? []).some((id) => sameId(id, publisher));
    if (!sameId(owner, publisher) && !trusted) {
      log.warn({ publisher, owner }, 'security: turn published by a user who does not own the execution');
      return refuse(
        recorder,
        context,
        'SecurityViolation',
        'This turn was requested by a user who does not own the conversation; it was refused and recorded.',
      );
    }
    if (!execution.AIAgentDefinition__c)
      return refuse(recorder, context, 'Configuration', 'The conversation has no agent.');
    if (!context.message)
      return refuse(recorder, context, 'MalformedEvent', 'The turn names no message the worker can read.');
    const message = context.message.content;
    return runChecked(
      context,
      turnId,
      recorder,
      log,
      signal,
      async (setup) => (await deps.beforeLoop?.(setup, message)) ?? { userMessage: message, fresh: true },
    );
  }

  /** Access checks, setup, the prelude, the loop and the atomic write: shared by new and resumed turns. */
  async function runChecked(
    context: TurnContext,
    turnId: string,
    recorder: TurnRecorder,
    log: Logger,
    signal: AbortSignal,
    prelude: (setup: TurnSetup) => Promise<Prelude | (Prelude & { fresh: true })>,
    identity?: HeldTurnIdentity,
  ): Promise<JobOutcome> {
    const { execution } = context;
    const owner = identity?.requesterId ?? execution.RequestingUser__c ?? execution.OwnerId;
    const agentId = identity?.agentId ?? execution.AIAgentDefinition__c;
    // The kill switch stops every path into a turn: events, /v1/turns and resumes after a decision.
    const org = deps.settings ? await deps.settings.get() : PACKAGE_DEFAULTS;
    if (org.agentsDisabled) return refuse(recorder, context, 'AgentsDisabled', AGENTS_DISABLED_MESSAGE);
    if (execution.InteractionSession__r?.SessionStatus__c === 'Closed') {
      return refuse(
        recorder,
        context,
        'SessionClosed',
        'This conversation is closed and takes no new turns; start a new one.',
      );
    }
    if (!agentId) return refuse(recorder, context, 'Configuration', 'The conversation has no agent.');
    let username: string;
    try {
      username = await guard.username(owner);
    } catch (error) {
      // Only a definite answer (no such user, inactive) refuses the turn; an outage is retried, never shown as the answer.
      if (error instanceof LoomError && !error.retryable)
        return refuse(recorder, context, 'PermissionDenied', error.message);
      throw error;
    }
    const userClient = deps.clientFor(username);
    let allowed: { ok: boolean; reason?: string };
    try {
      allowed = await guard.mayRun(owner, agentId, userClient);
    } catch (error) {
      if (error instanceof LoomError && !error.retryable)
        return refuse(recorder, context, 'PermissionDenied', error.message);
      throw error;
    }
    if (!allowed.ok)
      return refuse(recorder, context, 'PermissionDenied', allowed.reason ?? 'Not allowed to run this agent.');

    const { agent, overrides } = applyOrgSettings(
      await registry.get(agentId, identity ? undefined : execution.AIAgentDefinition__r?.LastModifiedDate),
      org,
    );
    for (const override of overrides)
      recorder.decision({ title: 'Org setting applied', detail: override, outcome: 'Success' });
    for (const invalid of agent.invalidCapabilities) {
      recorder.record({
        type: 'Error',
        role: 'System',
        isError: true,
        errorCategory: 'Configuration',
        content: `Tool ${invalid.name} hidden: ${invalid.reason}`,
      });
    }
    // Tools run as the requesting user unless the agent AND the worker both name the same service identity.
    let toolClient = userClient;
    let executionIdentity: string | undefined;
    if (agent.serviceIdentity) {
      const allowed = deps.serviceIdentities?.[agent.name];
      if (!allowed || allowed.toLowerCase() !== agent.serviceIdentity.toLowerCase()) {
        return refuse(
          recorder,
          context,
          'ServiceIdentityNotAllowed',
          `The agent asks to run tools as ${agent.serviceIdentity}, but this worker is not configured to allow it.`,
        );
      }
      toolClient = deps.clientFor(agent.serviceIdentity);
      executionIdentity = `service:${agent.serviceIdentity}`;
      log.info({ serviceIdentity: agent.serviceIdentity }, 'tools run under the configured service identity');
    }
    const { tools: offered } = await toolsForUser(agent.capabilities, toolClient, describes);
    const tools = offered.map(withApprovalRequest);
    const graph = buildGraph(
      agent,
      tools.map((tool) => tool.name),
      recorder,
    );
    const trust = createTurnTrust(agent, execution.Id, deps.vault);
    const gate = deps.gateFor({ agent, execution, turnId, userId: owner, recorder, trust });
    const input: TurnSetup['input'] = {
      systemPrompt: agent.systemPrompt,
      model: agent.llm.ModelIdentifier__c || deps.defaultModel || 'default',
      prices: { promptPer1M: agent.llm.PromptPricePer1M__c, completionPer1M: agent.llm.CompletionPricePer1M__c },
      maxSteps: agent.maxSteps,
      tokenBudget: agent.tokenBudget,
      safetyMode: agent.safetyMode,
      toolReasoning: agent.toolReasoning,
      tools: graph === 'closed' ? [] : tools,
    };
    const loopDeps: LoopDeps = {
      provider: deps.providerFor(agent),
      executor: new LedgeredExecutor(
        new UserToolExecutor(toolClient, describes, executionIdentity, deps.tools),
        ledger,
        { executionId: execution.Id, turnId },
        log,
      ),
      trust,
      gate,
      graph: graph === 'closed' || graph === null ? null : graph,
      recorder,
      validateArgs: validateArguments,
      signal,
      isStale: staleCheck(execution.Id, turnId, log),
    };
    const before = await prelude({ agent, context, turnId, owner, recorder, trust, gate, input, loopDeps, log });
    if ('stop' in before) {
      const current = await finish(recorder, context, before.stop, gate);
      return { status: current ? outcomeOf(before.stop) : 'stale' };
    }
    // A fresh turn sees earlier turns only; after a prelude, this turn's rows (stored and recorded) belong to history.
    const history =
      'fresh' in before
        ? rebuildHistory(context.steps, { turnLimit: agent.historyTurnLimit, excludeTurn: turnId })
        : rebuildHistory([...context.steps, ...recordedRows(recorder)], { turnLimit: agent.historyTurnLimit + 1 });

    const loop = await runGovernedLoop(
      {
        ...input,
        history,
        userMessage: before.userMessage,
        ...(before.toolHistory ? { toolHistory: before.toolHistory } : {}),
      },
      loopDeps,
    );
    if (loop.status === 'cancelled')
      throw new LoomError('turn cancelled by shutdown; it will be retried', { retryable: true, category: 'Cancelled' });
    // The held-action message is built from masked arguments (audit); the requester is shown the real values.
    if (loop.status === 'awaiting-action' && loop.finalText !== null)
      loop.finalText = await trust.restore(loop.finalText);
    const current = await finish(recorder, context, loop, gate);
    return { status: current ? outcomeOf(loop) : 'stale' };
  }

  /**
   * Between model steps: has a newer turn started? Short turns never ask (no API call); a long one asks at most once per
   * interval. An unanswered check says "not stale": the guarded final write is the real protection.
   */
  function staleCheck(executionId: string, turnId: string, log: Logger): () => Promise<boolean> {
    const interval = deps.staleCheckMs ?? 10_000;
    let next = Date.now() + interval;
    return async () => {
      if (Date.now() < next) return false;
      next = Date.now() + interval;
      try {
        const { records } = await deps.integration.query<{ CurrentTurnIdentifier__c: string | null }>(
          `SELECT CurrentTurnIdentifier__c FROM AgentExecution__c WHERE Id = '${executionId}'`,
        );
        const current = records[0]?.CurrentTurnIdentifier__c;
        return Boolean(current && current !== turnId);
      } catch (err) {
        log.warn({ err }, 'stale-turn check failed; continuing (the final write is guarded)');
        return false;
      }
    };
  }

  async function refuse(
    recorder: TurnRecorder,
    context: TurnContext,
    category: string,
    message: string,
  ): Promise<JobOutcome> {
    recorder.record({ type: 'Error', role: 'System', isError: true, errorCategory: category, content: message });
    recorder.decision({ title: 'Turn refused', detail: message, outcome: 'Blocked' });
    const current = await finish(recorder, context, {
      status: 'failed',
      finalText: message,
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      costUsd: 0,
      llmCalls: 0,
      toolCalls: 0,
      errorCategory: category,
    });
    return current ? { status: 'refused', detail: message } : { status: 'stale' };
  }

  /**
   * One composite call: steps, decisions, the outbound message, execution status and totals, the result event.
   * Returns false when a newer turn owned the execution, so only this turn's audit rows were written.
   */
  async function finish(
    recorder: TurnRecorder,
    context: TurnContext,
    loop: LoopResult,
    gate?: HitlGate,
  ): Promise<boolean> {
    const { execution } = context;
    const turnId = recorder.turnId;
    const status =
      loop.status === 'completed' ? 'Completed' : loop.status === 'awaiting-action' ? 'Awaiting Action' : 'Failed';
    const pending = recorder.takePending();
    // A resumed turn writes a second answer: key it by its first new step so it does not replace the first one.
    const firstSequence = Number(pending.steps[0]?.Sequence__c ?? 1);
    const messageKey = `${execution.Id}-${recorder.stepKey(firstSequence > 1 ? firstSequence : 0)}-out`;
    const pendingActions = gate?.takeWrites?.() ?? [];
    const finishedAt = new Date().toISOString();
    const startedAt = String(pending.steps[0]?.Timestamp__c ?? finishedAt);
    const written = await writeTurn(deps.integration, {
      turnId,
      ...pending,
      ...(pendingActions.length > 0 ? { pendingActions } : {}),
      // Messages are master-detail children of the session: an execution without one gets its answer in the steps only.
      ...(loop.finalText === null || !execution.InteractionSession__c
        ? {}
        : {
            message: {
              MessageKey__c: messageKey,
              AgentExecution__c: execution.Id,
              InteractionSession__c: execution.InteractionSession__c,
              Direction__c: 'Outbound',
              Role__c: 'Assistant',
              Content__c: loop.finalText,
              TurnIdentifier__c: turnId,
            },
          }),
      execution: {
        id: execution.Id,
        fields: {
          ExecutionStatus__c: status,
          TotalPromptTokens__c: (execution.TotalPromptTokens__c ?? 0) + loop.usage.promptTokens,
          TotalCompletionTokens__c: (execution.TotalCompletionTokens__c ?? 0) + loop.usage.completionTokens,
          TotalTokens__c: (execution.TotalTokens__c ?? 0) + loop.usage.totalTokens,
          TotalCostUSD__c: Number(((execution.TotalCostUSD__c ?? 0) + loop.costUsd).toFixed(6)),
          // StepCount__c is a roll-up count of the ExecutionStep__c rows: Salesforce keeps it, including the HITL rows.
          LastError__c: loop.errorCategory ?? null,
          // When the worker first picked the execution up (this turn's first step), and when it last reached a final
          // status; a turn waiting for a person is not final, so CompletedAt__c is cleared until it finishes.
          StartedAt__c: execution.StartedAt__c ?? startedAt,
          CompletedAt__c: status === 'Awaiting Action' ? null : finishedAt,
        },
      },
      ...(execution.InteractionSession__c
        ? {
            session: {
              id: execution.InteractionSession__c,
              // A closed conversation stays closed; otherwise it waits for a person or is active.
              fields:
                execution.InteractionSession__r?.SessionStatus__c === 'Closed'
                  ? { LastActivityAt__c: finishedAt }
                  : {
                      LastActivityAt__c: finishedAt,
                      SessionStatus__c: status === 'Awaiting Action' ? 'Waiting' : 'Active',
                    },
            },
          }
        : {}),
      result: { AgentExecutionId__c: execution.Id, TurnIdentifier__c: turnId, Status__c: status },
    });
    if (written.superseded) {
      // A newer turn started while this one ran: keep this turn's audit trail, leave the execution and answer to it.
      deps.logger.warn(
        { executionId: execution.Id, turnId },
        'stale turn: a newer turn owns the execution; audit rows written, nothing else',
      );
      recorder.decision({
        title: 'Superseded by a newer turn',
        detail: 'A newer turn started while this one ran; its answer and status were not written.',
        outcome: 'Blocked',
      });
      const marker = recorder.takePending();
      await writeTurn(deps.integration, {
        steps: [...pending.steps, ...marker.steps],
        decisions: [...pending.decisions, ...marker.decisions],
        ...(pendingActions.length > 0 ? { pendingActions } : {}),
      });
      return false;
    }
    try {
      deps.onTurnWritten?.({
        executionId: execution.Id,
        turnId,
        status,
        responseText: loop.finalText,
        steps: pending.steps,
        totalTokens: loop.usage.totalTokens,
        costUsd: loop.costUsd,
      });
    } catch (err) {
      deps.logger.warn({ err }, 'turn observer failed');
    }
    await gate?.afterWrite?.();
    return true;
  }
}

/** ConditionalApproval tools let the model ask for approval: it can raise the requirement, never lower it (src/hitl). */
function withApprovalRequest(tool: ToolDefinition): ToolDefinition {
  if (tool.hitlMode !== 'ConditionalApproval') return tool;
  const properties = {
    ...((tool.parameters.properties as Record<string, unknown> | undefined) ?? {}),
    _requiresApproval: {
      type: 'boolean',
      description: 'Set true to have a person approve this call even when the approval policy does not require it.',
    },
    _approvalReason: { type: 'string', description: 'Why this call should be approved by a person.' },
  };
  return { ...tool, parameters: { ...tool.parameters, properties } };
}

function outcomeOf(loop: LoopResult): JobOutcome['status'] {
  return loop.status === 'awaiting-action' ? 'awaiting-action' : loop.status === 'completed' ? 'completed' : 'failed';
}

/** This turn's rows recorded in memory, in the shape history is rebuilt from. */
function recordedRows(recorder: TurnRecorder): StepRow[] {
  return recorder.all().map((step) => ({
    StepType__c: step.type,
    Content__c: step.content ?? null,
    ToolName__c: step.toolName ?? null,
    ToolCallId__c: step.toolCallId ?? null,
    ToolArguments__c: step.toolArguments ?? null,
    ToolResult__c: step.toolResult ?? null,
    TurnIdentifier__c: recorder.turnId,
    Sequence__c: step.sequence,
  }));
}

/** No graph configured → every tool; a malformed graph → no tools at all (fail closed), with the reason recorded. */
function buildGraph(agent: AgentConfig, toolNames: string[], recorder: TurnRecorder): ToolGate | null | 'closed' {
  if (!agent.toolFlowGraph.trim()) return null;
  let json: unknown;
  try {
    json = JSON.parse(agent.toolFlowGraph);
  } catch {
    recorder.record({
      type: 'Error',
      role: 'System',
      isError: true,
      errorCategory: 'ToolGraphInvalid',
      content: 'ToolFlowGraph__c is not valid JSON; no tools are offered.',
    });
    return 'closed';
  }
  const compiled = compileToolGraph(json, toolNames);
  if (!compiled.ok) {
    recorder.record({
      type: 'Error',
      role: 'System',
      isError: true,
      errorCategory: 'ToolGraphInvalid',
      content: `Tool flow graph rejected; no tools are offered: ${compiled.errors.join('; ')}`,
    });
    return 'closed';
  }
  return compiled.graph;
}

function nextSequence(context: TurnContext, turnId: string): number {
  const mine = context.steps.filter((step) => step.TurnIdentifier__c === turnId).map((step) => step.Sequence__c);
  return mine.length === 0 ? 1 : Math.max(...mine) + 1;
}

function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}
