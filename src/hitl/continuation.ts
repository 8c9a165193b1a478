import { z } from 'zod';
import type { StepRow } from '../runtime/history.ts';
import type { LoopResult } from '../runtime/governed-loop.ts';
import { admit, gateOf } from '../runtime/model-input.ts';
import type { ToolDefinition } from '../runtime/ports.ts';
import { runApprovedCall, type ToolHistory } from '../runtime/tool-call.ts';
import type { TurnSetup } from '../runtime/turn-handler.ts';
import type { PendingRow, PendingStatus } from './pending-record.ts';
import { capabilityVersion, type ArgumentSigner, type SignedAction } from './signature.ts';

/** What the held call gets once a person (or the clock) decided. */
export type HeldOutcome =
  | { kind: 'execute'; args: Record<string, unknown>; recovering: boolean }
  | { kind: 'not-executed'; status: PendingStatus | 'Tampered' | 'Unavailable'; message: string };

/**
 * Delivers the held call's result into the turn (as a ToolResult step with the held call's ID, so rebuilt history
 * pairs it with the request), after an audit step saying who decided what (comment masked like any user text).
 */
export async function deliverHeld(
  setup: TurnSetup,
  row: PendingRow,
  outcome: HeldOutcome,
  decisionLine: string,
): Promise<ToolHistory> {
  const { recorder, trust } = setup;
  const toolHistory = toolHistoryOf(setup.context.steps, row.TurnIdentifier__c);
  recorder.record({
    type: 'Approval',
    role: 'User',
    toolName: row.ToolName__c,
    toolCallId: row.ToolCallId__c,
    content: (await trust.mask(decisionLine)).masked,
  });
  const final = runnable(setup, row, outcome);
  if (final.kind === 'run') {
    await runApprovedCall(
      final.tool,
      row.ToolCallId__c,
      final.args,
      { ...setup.input, history: [], userMessage: null },
      setup.loopDeps,
      toolHistory,
    );
  } else await reportNotExecuted(setup, row, final, toolHistory);
  return toolHistory;
}

type NotExecuted = Extract<HeldOutcome, { kind: 'not-executed' }>;

/**
 * An approved call runs only if the held capability is still offered to the requester, it cannot have run already
 * (a side effect interrupted mid-run is never repeated), and the approved arguments still fit the tool's schema.
 */
function runnable(
  setup: TurnSetup,
  row: PendingRow,
  outcome: HeldOutcome,
): { kind: 'run'; tool: ToolDefinition; args: Record<string, unknown> } | NotExecuted {
  if (outcome.kind === 'not-executed') return outcome;
  const unavailable = (message: string): NotExecuted => ({ kind: 'not-executed', status: 'Unavailable', message });
  // The capability that was held (its ID is signed), never another tool that happens to share its name.
  const tool = setup.input.tools.find(
    (candidate) =>
      row.AgentCapability__c !== null &&
      candidate.capabilityId.slice(0, 15) === row.AgentCapability__c.slice(0, 15) &&
      candidate.name === row.ToolName__c,
  );
  if (!tool)
    return unavailable(`The tool ${row.ToolName__c} is no longer available to the requesting user; nothing was run.`);
  if (outcome.recovering && tool.sideEffects) {
    return unavailable(
      'The worker stopped while this approved action was running; whether it completed is unknown. Check the record before asking again.',
    );
  }
  const errors = setup.loopDeps.validateArgs(tool, outcome.args);
  if (errors.length > 0)
    return unavailable(`The approved arguments no longer match the tool's schema: ${errors.join('; ')}`);
  return { kind: 'run', tool, args: outcome.args };
}

/** The held call did not run: the model and the audit get why, as a failed result of the held call. */
async function reportNotExecuted(
  setup: TurnSetup,
  row: PendingRow,
  final: NotExecuted,
  toolHistory: ToolHistory,
): Promise<void> {
  // The message carries the person's comment: it reaches the requester's model through the same gate as tool output.
  const value = { status: final.status.toLowerCase(), executed: false, message: final.message };
  const { audit: content } = await admit(
    { kind: 'tool', tool: row.ToolName__c, toolCallId: row.ToolCallId__c, value },
    gateOf(setup.input, setup),
  );
  setup.recorder.record({
    type: 'ToolResult',
    role: 'Tool',
    toolName: row.ToolName__c,
    toolCallId: row.ToolCallId__c,
    isError: true,
    errorCategory: `HITL${final.status}`,
    toolResult: content,
    content,
  });
  setup.recorder.decision({
    title: `${row.ToolName__c} not run (${final.status.toLowerCase()})`,
    detail: final.message,
    toolName: row.ToolName__c,
    outcome: final.status === 'Tampered' ? 'Blocked' : 'Failure',
  });
  toolHistory.push({ tool: row.ToolName__c, ok: false });
}

/** Which tools already ran this turn (flow-graph history); a result that carries an error counts as failed. */
export function toolHistoryOf(steps: StepRow[], turnId: string): ToolHistory {
  return steps
    .filter((step) => step.TurnIdentifier__c === turnId && step.StepType__c === 'ToolResult' && step.ToolName__c)
    .map((step) => ({
      tool: step.ToolName__c ?? '',
      ok: !/^\s*\{\s*"error"/.test(step.ToolResult__c ?? step.Content__c ?? ''),
    }));
}

/**
 * A two-step action its requester confirmed (by decision or in chat): the audit records who confirmed (the line masked
 * like any user text) and that the action now waits for approval.
 */
export async function recordConfirmed(setup: TurnSetup, row: PendingRow, line: string): Promise<void> {
  setup.recorder.record({
    type: 'Approval',
    role: 'User',
    toolName: row.ToolName__c,
    toolCallId: row.ToolCallId__c,
    content: (await setup.trust.mask(line)).masked,
  });
  setup.recorder.decision({
    title: 'Confirmed; waiting for approval',
    toolName: row.ToolName__c,
    outcome: 'Pending',
  });
}

/** The turn ends waiting again, now for the approver of a two-step action. */
export function awaitingApproval(approver: string): { stop: LoopResult } {
  return waiting(`Thanks, confirmed. It now needs approval by ${approver} before it runs.`);
}

/** A turn that ends waiting again (the approval half of ConfirmationThenApproval). */
export function waiting(text: string): { stop: LoopResult } {
  return {
    stop: {
      status: 'awaiting-action',
      finalText: text,
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      costUsd: 0,
      llmCalls: 0,
      toolCalls: 0,
    },
  };
}

const ArgsObject = z.record(z.string(), z.unknown());

/** Parses stored arguments; anything but a JSON object is treated like tampering (the action never runs). */
export function parseArgs(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const parsed = ArgsObject.safeParse(JSON.parse(text));
    return parsed.success && !Array.isArray(parsed.data) ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * What the row's signature must cover (`v3`): the place (execution, turn, tool call), the tool, the arguments, the HITL
 * type, the requesting user, the agent and the capability with its current version. Any of them changed behind the
 * worker — a record re-typed to skip the approver, another requester, another agent's same-named tool, an edited
 * capability — fails verification, and rows signed by older workers (`v1`/`v2`, which bound less) are refused.
 */
export function signedAction(row: PendingRow, args: Record<string, unknown>): SignedAction {
  const capability = row.AgentCapability__r;
  return {
    executionId: row.AgentExecution__c,
    turnId: row.TurnIdentifier__c,
    toolCallId: row.ToolCallId__c,
    toolName: row.ToolName__c,
    args,
    hitlType: row.HITLType__c,
    identity: {
      requesterId: row.RequestingUser__c,
      agentId: capability?.AIAgentDefinition__c ?? '',
      capabilityId: row.AgentCapability__c ?? '',
      capabilityVersion: capability ? capabilityVersion(capability) : '',
    },
  };
}

/** The arguments to run if the record is intact (reviewed ones win), or null when its signature does not verify. */
export function verifiedArgs(signer: ArgumentSigner, row: PendingRow): Record<string, unknown> | null {
  const original = parseArgs(row.ToolArgumentsJSON__c);
  if (!original) return null;
  const reviewed = row.ReviewedArgumentsJSON__c ? parseArgs(row.ReviewedArgumentsJSON__c) : undefined;
  if (reviewed === null) return null;
  const ok = signer.verify(
    row.ArgumentsSignature__c,
    signedAction(row, original),
    reviewed ? signedAction(row, reviewed) : undefined,
  );
  return ok ? (reviewed ?? original) : null;
}

export function nextSequenceOf(steps: StepRow[], turnId: string): number {
  const mine = steps.filter((step) => step.TurnIdentifier__c === turnId).map((step) => step.Sequence__c);
  return mine.length === 0 ? 1 : Math.max(...mine) + 1;
}
