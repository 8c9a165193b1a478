import type { ChatMessage, ToolCall } from '../../src/llm/types.ts';

/** A message as provider tests write it by hand: plain strings where the runtime's gate hands over `ModelText`. */
export type HandMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

/**
 * Provider adapters are tested on requests written by hand. In the worker only `admit` (src/runtime/model-input.ts)
 * makes model text; this stands in for it in those tests (the lint config allows such casts in tests only).
 */
export function handWritten(messages: HandMessage[]): ChatMessage[] {
  return messages as ChatMessage[];
}
