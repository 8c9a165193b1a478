import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { LlmError } from './errors.ts';
import type { WireAdapter } from './retrying-provider.ts';
import { sdkClientOptions } from './sdk-client.ts';
import { callSdk, malformedAnswer } from './sdk-errors.ts';
import { parseToolArguments } from './tool-arguments.ts';
import type { ChatMessage, CompletionRequest, FinishReason, ProviderResult, ToolCall } from './types.ts';

export interface AnthropicOptions {
  /** Without `/v1`: `https://api.anthropic.com`. */
  baseUrl: string;
  apiKey: string;
  headers?: Record<string, string>;
}

const PROVIDER = 'anthropic';
const SDK_ERRORS = { APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError };
/** The Messages API requires max_tokens; used when the request sets none. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

const WireBlock = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.unknown() }),
]);
const WireResponse = z.object({
  type: z.literal('message').optional(),
  model: z.string().nullish(),
  content: z.array(z.object({ type: z.string() }).loose()),
  stop_reason: z.string().nullish(),
  usage: z.object({
    input_tokens: z.number().int().nonnegative(),
    output_tokens: z.number().int().nonnegative(),
    cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
    cache_read_input_tokens: z.number().int().nonnegative().nullish(),
  }),
});

/** Anthropic Messages wire format. One attempt per `send`. */
export class AnthropicAdapter implements WireAdapter {
  readonly name = PROVIDER;
  private readonly client: Anthropic;

  constructor(options: AnthropicOptions) {
    this.client = new Anthropic(sdkClientOptions(options));
  }

  async send(request: CompletionRequest, signal: AbortSignal): Promise<ProviderResult> {
    const raw = await callSdk(PROVIDER, SDK_ERRORS, detailOf, () =>
      this.client.messages.create(toWireRequest(request), { signal }),
    );
    return fromWire(raw, request);
  }
}

/** Builds the exact Messages request body for a neutral request. */
export function toWireRequest(request: CompletionRequest): MessageCreateParamsNonStreaming {
  const system = request.messages
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n\n');
  const body: MessageCreateParamsNonStreaming = {
    model: request.model,
    max_tokens: request.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages: toWireMessages(request.messages),
  };
  if (system) body.system = system;
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool): Tool => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.parameters as Tool.InputSchema,
    }));
    body.tool_choice = { type: 'auto' };
  }
  // API version 2026-10-21 has no sampling parameters; `request.temperature` is not sent (see docs/providers.md).
  return body;
}

/**
 * Maps history to alternating user/assistant turns: tool results become `tool_result` blocks in a user message,
 * and adjacent messages of the same role are merged (the API wants every tool_result of a turn in the one user
 * message that follows the assistant's tool_use blocks).
 */
export function toWireMessages(messages: readonly ChatMessage[]): MessageParam[] {
  const turns: { role: 'user' | 'assistant'; blocks: ContentBlockParam[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]): void => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  };
  for (const message of messages) {
    if (message.role === 'user') push('user', [{ type: 'text', text: message.content }]);
    else if (message.role === 'tool') {
      push('user', [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }]);
    } else if (message.role === 'assistant') {
      const blocks: ContentBlockParam[] = message.content ? [{ type: 'text', text: message.content }] : [];
      for (const call of message.toolCalls ?? []) {
        const parsed = parseToolArguments(call);
        // tool_use.input must be an object; invalid arguments were already answered with an error tool result.
        blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parsed.ok ? parsed.value : {} });
      }
      push('assistant', blocks);
    }
  }
  return turns.map(({ role, blocks }) => {
    const only = blocks[0];
    return blocks.length === 1 && only?.type === 'text' ? { role, content: only.text } : { role, content: blocks };
  });
}

function fromWire(raw: unknown, request: CompletionRequest): ProviderResult {
  const parsed = WireResponse.safeParse(raw);
  if (!parsed.success) throw malformed(z.prettifyError(parsed.error));
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of parsed.data.content) {
    if (block.type !== 'text' && block.type !== 'tool_use') continue; // thinking and server-tool blocks are not ours
    const known = WireBlock.safeParse(block);
    if (!known.success) throw malformed(z.prettifyError(known.error));
    if (known.data.type === 'text') texts.push(known.data.text);
    else
      toolCalls.push({ id: known.data.id, name: known.data.name, arguments: JSON.stringify(known.data.input ?? {}) });
  }
  const usage = parsed.data.usage;
  const promptTokens =
    usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  return {
    text: texts.length > 0 ? texts.join('') : null,
    toolCalls,
    usage: { promptTokens, completionTokens: usage.output_tokens, totalTokens: promptTokens + usage.output_tokens },
    model: parsed.data.model ?? request.model,
    finishReason: mapStopReason(parsed.data.stop_reason),
  };
}

function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'tool_use':
      return 'tool_calls';
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

function malformed(detail: string): LlmError {
  return malformedAnswer(PROVIDER, 'Messages', detail);
}

function detailOf(error: unknown): string {
  const api = error as { type?: unknown; errorCode?: unknown };
  return `${String(api.type ?? '')} ${String(api.errorCode ?? '')}`;
}
