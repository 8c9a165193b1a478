import type { ToolCall } from '../llm/types.ts';

/**
 * A message as the audit steps hold it (masked text, tool results unwrapped). It is not model text yet: the governed
 * loop admits history through the same gate as new text (src/runtime/model-input.ts) before the model sees it.
 */
export type StoredMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

/** An `ExecutionStep__c` row as the context query returns it. */
export interface StepRow {
  StepType__c: string;
  Content__c?: string | null | undefined;
  ToolName__c?: string | null | undefined;
  ToolCallId__c?: string | null | undefined;
  ToolArguments__c?: string | null | undefined;
  ToolResult__c?: string | null | undefined;
  TurnIdentifier__c: string;
  Sequence__c: number;
}

/**
 * Rebuilds the conversation the model saw from audit steps (already masked), keeping the last `turnLimit` turns.
 * Steps are the single source of truth, so a turn resumed days later sees exactly what the first half saw.
 */
export function rebuildHistory(rows: StepRow[], options: { turnLimit: number; excludeTurn?: string }): StoredMessage[] {
  const turns: string[] = [];
  for (const row of rows) if (!turns.includes(row.TurnIdentifier__c)) turns.push(row.TurnIdentifier__c);
  const kept = new Set(turns.filter((turn) => turn !== options.excludeTurn).slice(-options.turnLimit));
  return toMessages(rows.filter((row) => kept.has(row.TurnIdentifier__c)));
}

/** Messages for one ordered list of steps; tool calls that never got a result are closed so the wire format stays valid. */
export function toMessages(rows: StepRow[]): StoredMessage[] {
  const messages: StoredMessage[] = [];
  let pending: { message: Extract<StoredMessage, { role: 'assistant' }>; open: Map<string, string> } | null = null;
  const closePending = () => {
    if (!pending) return;
    for (const [id, name] of pending.open) {
      messages.push({
        role: 'tool',
        toolCallId: id,
        name,
        content: JSON.stringify({ error: 'No result was recorded for this call.' }),
      });
    }
    pending = null;
  };
  for (const row of rows) {
    switch (row.StepType__c) {
      case 'UserInput':
        closePending();
        messages.push({ role: 'user', content: row.Content__c ?? '' });
        break;
      case 'LLMResponse':
        closePending();
        pending = { message: { role: 'assistant', content: row.Content__c || null, toolCalls: [] }, open: new Map() };
        messages.push(pending.message);
        break;
      case 'ToolCall': {
        if (!pending) break;
        const call: ToolCall = {
          id: row.ToolCallId__c ?? '',
          name: row.ToolName__c ?? '',
          arguments: row.ToolArguments__c ?? '{}',
        };
        pending.message.toolCalls = [...(pending.message.toolCalls ?? []), call];
        pending.open.set(call.id, call.name);
        break;
      }
      case 'ToolResult':
        if (pending && row.ToolCallId__c && pending.open.has(row.ToolCallId__c)) {
          pending.open.delete(row.ToolCallId__c);
          messages.push({
            role: 'tool',
            toolCallId: row.ToolCallId__c,
            name: row.ToolName__c ?? '',
            content: row.ToolResult__c ?? row.Content__c ?? '',
          });
        }
        break;
      case 'AgentResponse':
        closePending();
        // The final answer's LLMResponse already carried the same text; only add it when it stands alone (refusals).
        if (messages.at(-1)?.role !== 'assistant' || messages.at(-1)?.content !== (row.Content__c ?? '')) {
          messages.push({ role: 'assistant', content: row.Content__c ?? '' });
        }
        break;
      default:
        break;
    }
  }
  // Assistant messages with an empty toolCalls list are plain text answers.
  for (const message of messages)
    if (message.role === 'assistant' && message.toolCalls?.length === 0) delete message.toolCalls;
  closePending();
  return messages;
}
