import type { ChatMessage, ToolCall, ToolSpec, Usage } from './types.ts';

// Per-message framing overhead, roughly what chat formats add around each message.
const MESSAGE_OVERHEAD = 4;

/** Deterministic token estimate (~4 characters per token); used for budgets and by the scripted provider. */
export function estimateTextTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Estimated prompt tokens of a conversation plus its tool specs. */
export function estimatePromptTokens(messages: readonly ChatMessage[], tools: readonly ToolSpec[]): number {
  let total = 0;
  for (const message of messages) {
    total += MESSAGE_OVERHEAD + estimateTextTokens(message.content ?? '');
    if (message.role === 'assistant') total += estimateToolCallTokens(message.toolCalls ?? []);
    if (message.role === 'tool') total += estimateTextTokens(message.name);
  }
  for (const tool of tools) total += estimateTextTokens(JSON.stringify(tool));
  return total;
}

/** Estimated completion tokens of an answer. */
export function estimateCompletionTokens(text: string | null, toolCalls: readonly ToolCall[]): number {
  return estimateTextTokens(text ?? '') + estimateToolCallTokens(toolCalls);
}

function estimateToolCallTokens(calls: readonly ToolCall[]): number {
  return calls.reduce((sum, call) => sum + MESSAGE_OVERHEAD + estimateTextTokens(call.name + call.arguments), 0);
}

/** USD cost of one call from per-million-token prices, rounded to 1e-9 so sums stay stable. */
export function estimateCostUsd(usage: Usage, prices: { promptPer1M: number; completionPer1M: number }): number {
  const cost = (usage.promptTokens * prices.promptPer1M + usage.completionTokens * prices.completionPer1M) / 1_000_000;
  return Math.round(cost * 1e9) / 1e9;
}
