import type { ChatMessage, CompletionResponse, ModelText, ToolCall, ToolSpec } from '../llm/types.ts';
import { LoomError } from '../errors.ts';
import { admit, gateOf } from './model-input.ts';
import { handleToolCall } from './tool-call.ts';

export type { LoopDeps, LoopInput, SafetyMode } from './types.ts';
import type { ToolGate } from './ports.ts';
import type { LoopDeps, LoopInput, SafetyMode, ToolHistory } from './types.ts';

export interface LoopResult {
  status: 'completed' | 'awaiting-action' | 'blocked' | 'failed' | 'stale' | 'cancelled';
  /** What the user sees (unmasked); null when nothing is to be shown. */
  finalText: string | null;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  costUsd: number;
  llmCalls: number;
  toolCalls: number;
  errorCategory?: string;
}

const REFUSAL = 'I can’t help with that request: it was stopped by this agent’s safety policy.';

/** How a turn stops before its step limit; the usage counted so far is kept. */
type Stop = Pick<LoopResult, 'status'> & { finalText?: string | null; errorCategory?: string };

/** One governed agent turn: screen and mask the input, then call the model and run its tool calls until it answers. */
export async function runGovernedLoop(input: LoopInput, deps: LoopDeps): Promise<LoopResult> {
  const result: LoopResult = {
    status: 'completed',
    finalText: null,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    costUsd: 0,
    llmCalls: 0,
    toolCalls: 0,
  };
  const messages = await openConversation(input, deps);
  if (messages === null) return { ...result, status: 'blocked', finalText: REFUSAL, errorCategory: 'SafetyBlocked' };
  const toolHistory: ToolHistory = [...(input.toolHistory ?? [])];
  for (let step = 1; step <= input.maxSteps; step++) {
    const stop = await runStep(step, { input, deps, messages, toolHistory, result });
    if (stop) return { ...result, ...stop };
  }
  return { ...result, ...stepLimit(input, deps) };
}

/** What one model step works on: the turn's input and ports, the conversation so far, and the running totals. */
interface StepState {
  input: LoopInput;
  deps: LoopDeps;
  messages: ChatMessage[];
  toolHistory: ToolHistory;
  result: LoopResult;
}

/** The system prompt, the admitted history and this turn's user text; null when the safety policy blocked the text. */
async function openConversation(input: LoopInput, deps: LoopDeps): Promise<ChatMessage[] | null> {
  const gate = gateOf(input, deps);
  const messages: ChatMessage[] = [
    { role: 'system', content: admit({ kind: 'instructions', text: input.systemPrompt }) },
    ...(await admit({ kind: 'history', messages: input.history }, gate)),
  ];
  if (input.userMessage !== null) {
    const accepted = await acceptUserInput(input.userMessage, input.safetyMode, deps);
    if (accepted === null) return null;
    messages.push({ role: 'user', content: accepted });
  }
  return messages;
}

/** One model call and what follows it: an answer, a budget stop, or the tool calls it asked for (null: go on). */
async function runStep(step: number, state: StepState): Promise<Stop | null> {
  const { input, deps, messages, toolHistory, result } = state;
  if (deps.signal.aborted) return { status: 'cancelled' };
  if (await deps.isStale()) return { status: 'stale' };
  const called = await callModel(step, state);
  if (!called.ok) return called.stop;
  const response = called.response;
  account(result, response, input.prices);
  recordResponse(response, input, deps);
  if (result.usage.totalTokens > input.tokenBudget) return overBudget(input, deps, result);
  if (response.toolCalls.length === 0) return answer(response, deps);
  messages.push({
    role: 'assistant',
    content: admit({ kind: 'assistant', text: response.text }),
    toolCalls: response.toolCalls,
  });
  const held = await runToolCalls(response.toolCalls, input, deps, messages, toolHistory, result);
  return held ? { status: 'awaiting-action', finalText: held } : null;
}

/** Records the request and calls the model with the tools the flow graph allows now; a failed call stops the turn. */
async function callModel(
  step: number,
  { input, deps, messages, toolHistory }: StepState,
): Promise<{ ok: true; response: CompletionResponse } | { ok: false; stop: Stop }> {
  const tools = visibleTools(input, deps.graph, toolHistory);
  deps.recorder.record({
    type: 'LLMRequest',
    role: 'System',
    model: input.model,
    content: JSON.stringify({ step, messages: messages.length, tools: tools.map((tool) => tool.name) }),
  });
  try {
    return {
      ok: true,
      response: await deps.provider.complete({ model: input.model, messages, tools, signal: deps.signal }),
    };
  } catch (error) {
    // Shutdown aborted the call: hand the job back rather than recording a failure.
    if (deps.signal.aborted) return { ok: false, stop: { status: 'cancelled' } };
    const category = error instanceof LoomError ? error.category : 'ProviderError';
    deps.recorder.record({
      type: 'Error',
      role: 'System',
      isError: true,
      errorCategory: category,
      content: (error as Error).message,
    });
    return {
      ok: false,
      stop: {
        status: 'failed',
        finalText: 'The model could not be reached; please try again later.',
        errorCategory: category,
      },
    };
  }
}

function recordResponse(response: CompletionResponse, input: LoopInput, deps: LoopDeps): void {
  deps.recorder.record({
    type: 'LLMResponse',
    role: 'Assistant',
    model: response.model,
    content: response.text ?? '',
    promptTokens: response.usage.promptTokens,
    completionTokens: response.usage.completionTokens,
    totalTokens: response.usage.totalTokens,
    costUsd: costOf(response, input.prices),
    durationMs: response.durationMs,
  });
}

function overBudget(input: LoopInput, deps: LoopDeps, result: LoopResult): Stop {
  deps.recorder.record({
    type: 'Error',
    role: 'System',
    isError: true,
    errorCategory: 'TokenBudgetExceeded',
    content: `Token budget of ${input.tokenBudget} exceeded (${result.usage.totalTokens} used).`,
  });
  return {
    status: 'failed',
    finalText: 'This request used up the agent’s token budget before it finished.',
    errorCategory: 'TokenBudgetExceeded',
  };
}

/** The model answered without tool calls: the user sees the text with its tokens restored. */
async function answer(response: CompletionResponse, deps: LoopDeps): Promise<Stop> {
  const text = response.text ?? '';
  const shown = await deps.trust.restore(text);
  deps.recorder.record({ type: 'AgentResponse', role: 'Assistant', content: text });
  deps.recorder.decision({ title: 'Answered', outcome: 'Success' });
  return { status: 'completed', finalText: shown };
}

function stepLimit(input: LoopInput, deps: LoopDeps): Stop {
  deps.recorder.record({
    type: 'Error',
    role: 'System',
    isError: true,
    errorCategory: 'StepLimit',
    content: `Stopped after ${input.maxSteps} model calls without a final answer.`,
  });
  return {
    status: 'failed',
    finalText: 'I could not finish this request within the allowed number of steps.',
    errorCategory: 'StepLimit',
  };
}

async function acceptUserInput(text: string, mode: SafetyMode, deps: LoopDeps): Promise<ModelText | null> {
  const {
    text: admitted,
    audit,
    entityCount,
    verdict,
  } = await admit({ kind: 'user', text }, gateOf({ safetyMode: mode }, deps));
  deps.recorder.record({ type: 'UserInput', role: 'User', content: audit });
  if (entityCount > 0) {
    deps.recorder.record({
      type: 'Masking',
      role: 'System',
      content: `Masked ${entityCount} sensitive value(s) in the user input.`,
    });
  }
  if (verdict.flagged) {
    deps.recorder.record({
      type: 'SafetyCheck',
      role: 'System',
      safetyScore: verdict.score,
      safetyCategories: verdict.categories,
      isError: verdict.action === 'block',
      ...(verdict.action === 'block' ? { errorCategory: 'SafetyBlocked' } : {}),
      content: `User input flagged (${verdict.categories.join(', ')}); mode ${mode}: ${verdict.action}.`,
    });
  }
  if (admitted === null) {
    deps.recorder.decision({ title: 'Request blocked by the safety policy', outcome: 'Blocked' });
    deps.recorder.record({ type: 'AgentResponse', role: 'Assistant', content: REFUSAL });
    return null;
  }
  return admitted;
}

function visibleTools(input: LoopInput, graph: ToolGate | null, history: ToolHistory): ToolSpec[] {
  const allowed = graph ? new Set(graph.available(history)) : null;
  return input.tools
    .filter((tool) => !allowed || allowed.has(tool.name))
    .map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: withReasoning(tool.parameters, input.toolReasoning),
    }));
}

/** With tool reasoning on, every tool takes a required `_rationale` the runtime strips before execution. */
function withReasoning(parameters: Record<string, unknown>, on: boolean): Record<string, unknown> {
  if (!on) return parameters;
  const properties = { ...((parameters.properties as Record<string, unknown> | undefined) ?? {}) };
  properties._rationale = {
    type: 'string',
    description: 'Why this tool is the right next step (shown to the user and auditors).',
  };
  const required = [...((parameters.required as string[] | undefined) ?? []), '_rationale'];
  return { ...parameters, type: 'object', properties, required };
}

async function runToolCalls(
  calls: ToolCall[],
  input: LoopInput,
  deps: LoopDeps,
  messages: ChatMessage[],
  toolHistory: ToolHistory,
  result: LoopResult,
): Promise<string | null> {
  let heldMessage: string | null = null;
  for (const call of calls) {
    if (heldMessage !== null) {
      // A held action pauses the turn; later calls of the same response wait for the model to ask again.
      const notice = await admit(
        {
          kind: 'tool',
          tool: call.name,
          toolCallId: call.id,
          value: { error: 'Not executed: an earlier action in this step is waiting for a human decision.' },
          byWorker: true,
        },
        gateOf(input, deps),
      );
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: notice.content });
      continue;
    }
    result.toolCalls += 1;
    const outcome = await handleToolCall(call, input, deps, toolHistory);
    messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: outcome.content });
    if (outcome.held) heldMessage = outcome.held;
  }
  return heldMessage;
}

function costOf(response: CompletionResponse, prices: LoopInput['prices']): number {
  return (
    (response.usage.promptTokens * prices.promptPer1M + response.usage.completionTokens * prices.completionPer1M) /
    1_000_000
  );
}

function account(result: LoopResult, response: CompletionResponse, prices: LoopInput['prices']): void {
  result.llmCalls += 1;
  result.usage.promptTokens += response.usage.promptTokens;
  result.usage.completionTokens += response.usage.completionTokens;
  result.usage.totalTokens += response.usage.totalTokens;
  result.costUsd += costOf(response, prices);
}
