import { LoomError } from '../errors.ts';
import { parseToolArguments } from '../llm/tool-arguments.ts';
import type { ModelText, ToolCall } from '../llm/types.ts';
import type { LoopDeps, LoopInput, ToolHistory } from './types.ts';
import { admit, gateOf } from './model-input.ts';
import type { GateDecision, ToolDefinition } from './ports.ts';

export type { ToolHistory } from './types.ts';

/** Synthetic arguments the runtime adds to tool schemas; never passed to the tool itself. */
const SYNTHETIC = ['_rationale', '_requiresApproval', '_approvalReason'] as const;

export interface ToolCallOutcome {
  /** The tool message content the model sees next (masked, screened, delimited as data). */
  content: ModelText;
  /** Set when the call waits for a person: the text shown to the user. */
  held?: string;
}

/**
 * One tool call through every gate, in order: known tool → flow graph → JSON arguments → schema → HITL → execute as the
 * user → screen the result → mask it. Every refusal goes back to the model as a structured error, never a crash.
 */
export async function handleToolCall(
  call: ToolCall,
  input: LoopInput,
  deps: LoopDeps,
  history: ToolHistory,
): Promise<ToolCallOutcome> {
  const turn: CallTurn = { call, input, deps, history };
  // Record the call exactly as the model made it (masked text) before any gate, so history can be rebuilt from steps.
  const request = readCall(call);
  recordCall(call, request, deps);
  const checked = checkCall(request, turn);
  if ('refused' in checked) return refuse(turn, checked.refused.category, checked.refused.message);
  const { tool } = checked;
  // Tools receive real values; the model only ever saw tokens.
  const realArgs = (await deps.trust.restoreValue(request.args)) as Record<string, unknown>;
  const gate = await review(tool, realArgs, request, turn);
  if ('refused' in gate) return refuse(turn, gate.refused.category, gate.refused.message);
  if (gate.decision === 'hold') return hold(tool, gate, request, turn);
  return runApprovedCall(tool, call.id, gate.args, input, deps, history, request.rationale);
}

/** One call with the turn it belongs to. */
interface CallTurn {
  call: ToolCall;
  input: LoopInput;
  deps: LoopDeps;
  history: ToolHistory;
}

/** The model's arguments without the runtime's synthetic ones, and what those said. */
interface CallRequest {
  parsed: ReturnType<typeof parseToolArguments>;
  args: Record<string, unknown>;
  rationale: string | undefined;
  modelRequestedApproval: boolean;
  approvalReason: string | undefined;
}

type Refusal = { refused: { category: string; message: string } };

function readCall(call: ToolCall): CallRequest {
  const parsed = parseToolArguments(call);
  const args = parsed.ok ? { ...parsed.value } : {};
  const rationale = typeof args._rationale === 'string' ? args._rationale : undefined;
  const modelRequestedApproval = args._requiresApproval === true;
  const approvalReason = typeof args._approvalReason === 'string' ? args._approvalReason : undefined;
  for (const key of SYNTHETIC) delete args[key];
  return { parsed, args, rationale, modelRequestedApproval, approvalReason };
}

function recordCall(call: ToolCall, request: CallRequest, deps: LoopDeps): void {
  const { parsed, args, rationale } = request;
  const maskedArgs = parsed.ok ? JSON.stringify(args) : call.arguments.slice(0, 4000);
  deps.recorder.record({
    type: 'ToolCall',
    role: 'Assistant',
    toolName: call.name,
    toolCallId: call.id,
    toolArguments: maskedArgs,
    ...(rationale === undefined ? {} : { rationale }),
  });
}

/** The gates before a person: a tool offered this turn, allowed by the flow graph now, with valid arguments. */
function checkCall(request: CallRequest, { call, input, deps, history }: CallTurn): { tool: ToolDefinition } | Refusal {
  const refused = (category: string, message: string): Refusal => ({ refused: { category, message } });
  const tool = input.tools.find((candidate) => candidate.name === call.name);
  if (!tool) return refused('UnknownTool', `There is no tool named "${call.name}". Use one of the tools offered.`);
  if (deps.graph) {
    const check = deps.graph.check(tool.name, history);
    if (!check.allowed)
      return refused('ToolNotAllowedNow', check.reason ?? `The tool "${tool.name}" is not available at this point.`);
  }
  if (!request.parsed.ok) return refused('InvalidArguments', request.parsed.error);
  if (input.toolReasoning && !request.rationale) {
    return refused('MissingRationale', 'This agent requires a "_rationale" argument explaining each tool call.');
  }
  const schemaErrors = deps.validateArgs(tool, request.args);
  if (schemaErrors.length > 0)
    return refused('InvalidArguments', `Arguments do not match the tool's schema: ${schemaErrors.join('; ')}`);
  return { tool };
}

/** The HITL gate's decision; when the gate cannot decide, the action does not run (fail closed). */
async function review(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  request: CallRequest,
  { call, deps }: CallTurn,
): Promise<GateDecision | Refusal> {
  try {
    return await deps.gate.review({
      tool,
      toolCallId: call.id,
      args,
      modelRequestedApproval: request.modelRequestedApproval,
      ...(request.approvalReason === undefined ? {} : { approvalReason: request.approvalReason }),
    });
  } catch (error) {
    if (error instanceof LoomError && error.retryable) throw error;
    return {
      refused: {
        category: 'ApprovalUnavailable',
        message: `This action needs a human decision that could not be arranged: ${(error as Error).message}`,
      },
    };
  }
}

/** The call waits for a person: recorded, and the model is told it is pending. */
async function hold(
  tool: ToolDefinition,
  gate: Extract<GateDecision, { decision: 'hold' }>,
  request: CallRequest,
  { call, input, deps }: CallTurn,
): Promise<ToolCallOutcome> {
  deps.recorder.record({
    type: 'Approval',
    role: 'System',
    toolName: tool.name,
    toolCallId: call.id,
    content: `${gate.type} required: ${gate.message}`,
  });
  deps.recorder.decision({
    title: `Waiting for ${gate.type.toLowerCase()}`,
    detail: gate.message,
    toolName: tool.name,
    ...(request.rationale ? { rationale: request.rationale } : {}),
    outcome: 'Pending',
  });
  // The hold message is built from the masked arguments: its tokens stay tokens.
  const notice = await admit(
    {
      kind: 'tool',
      tool: tool.name,
      toolCallId: call.id,
      value: { status: 'pending', message: gate.message },
      alreadyMasked: true,
      byWorker: true,
    },
    gateOf(input, deps),
  );
  return { content: notice.content, held: gate.message };
}

/** A refused call: the model gets a structured error, the audit an error result and a Blocked line. */
async function refuse(
  { call, input, deps, history }: CallTurn,
  category: string,
  message: string,
): Promise<ToolCallOutcome> {
  // Refusals echo what the model sent (tool names, schema errors) and, for an unavailable approval, an outside error
  // text: both reach the model through the same gate as any tool output; only the outside text is delimited as data.
  const byWorker = category !== 'ApprovalUnavailable';
  const admitted = await admit(
    { kind: 'tool', tool: call.name, toolCallId: call.id, value: { error: message, category }, byWorker },
    gateOf(input, deps),
  );
  deps.recorder.record({
    type: 'ToolResult',
    role: 'Tool',
    toolName: call.name,
    toolCallId: call.id,
    isError: true,
    errorCategory: category,
    toolResult: admitted.audit,
    content: errorText(admitted.audit),
  });
  deps.recorder.decision({
    title: `Refused ${call.name}`,
    detail: errorText(admitted.audit),
    toolName: call.name,
    outcome: 'Blocked',
  });
  history.push({ tool: call.name, ok: false });
  return { content: admitted.content };
}

/**
 * Executes a call that passed every gate (or that a person approved later, with verified arguments) and delivers its
 * result to the model like any other call: screened, masked, delimited as data, recorded as a ToolResult step.
 */
export async function runApprovedCall(
  tool: ToolDefinition,
  toolCallId: string,
  args: Record<string, unknown>,
  input: LoopInput,
  deps: LoopDeps,
  history: ToolHistory,
  rationale?: string,
): Promise<ToolCallOutcome> {
  let outcome;
  try {
    outcome = await deps.executor.execute(tool, args, { toolCallId, signal: deps.signal });
  } catch (error) {
    // An outage is not an answer: a retryable failure (5xx, dropped connection, spent allocation) fails the attempt so the
    // job is retried with backoff, instead of the model telling the user the data is out of reach.
    if (error instanceof LoomError && error.retryable) throw error;
    // A tool that throws for good is reported to the model; the turn goes on.
    // Its message can echo field values and text an attacker planted: masked and screened for the model and the audit row.
    const category = error instanceof LoomError ? error.category : 'ToolError';
    const admitted = await admit(
      {
        kind: 'tool',
        tool: tool.name,
        toolCallId,
        value: { error: `The tool failed: ${(error as Error).message}`, category },
      },
      gateOf(input, deps),
    );
    deps.recorder.record({
      type: 'ToolResult',
      role: 'Tool',
      toolName: tool.name,
      toolCallId,
      isError: true,
      errorCategory: category,
      toolResult: admitted.audit,
      content: errorText(admitted.audit),
    });
    deps.recorder.decision({
      title: `Refused ${tool.name}`,
      detail: errorText(admitted.audit),
      toolName: tool.name,
      outcome: 'Blocked',
    });
    history.push({ tool: tool.name, ok: false });
    return { content: admitted.content };
  }
  return deliverResult(tool.name, toolCallId, outcome, input, deps, history, rationale);
}

async function deliverResult(
  toolName: string,
  toolCallId: string,
  outcome: Awaited<ReturnType<LoopDeps['executor']['execute']>>,
  input: LoopInput,
  deps: LoopDeps,
  history: ToolHistory,
  rationale: string | undefined,
): Promise<ToolCallOutcome> {
  const admitted = await admit(
    { kind: 'tool', tool: toolName, toolCallId, value: outcome.result, classifications: outcome.classifications },
    gateOf(input, deps),
  );
  const text = admitted.audit;
  deps.recorder.record({
    type: 'ToolResult',
    role: 'Tool',
    toolName,
    toolCallId,
    toolResult: text,
    content: text,
    isError: !outcome.ok,
    ...(outcome.errorCategory ? { errorCategory: outcome.errorCategory } : {}),
    ...(outcome.executionIdentity ? { executionIdentity: outcome.executionIdentity } : {}),
  });
  deps.recorder.decision({
    title: outcome.ok ? `Ran ${toolName}` : `${toolName} failed`,
    toolName,
    ...(rationale ? { rationale } : {}),
    outcome: outcome.ok ? 'Success' : 'Failure',
  });
  history.push({ tool: toolName, ok: outcome.ok });
  return { content: admitted.content };
}

/** The error text of an admitted `{error, category}` value (masked, screened), for the audit row and the storyboard. */
function errorText(audit: string): string {
  try {
    const parsed = JSON.parse(audit) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : audit;
  } catch {
    return audit;
  }
}
