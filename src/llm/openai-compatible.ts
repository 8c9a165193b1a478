import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { WireAdapter } from './retrying-provider.ts';
import { sdkClientOptions } from './sdk-client.ts';
import { callSdk, malformedAnswer } from './sdk-errors.ts';
import { stableToolCallId } from './tool-call-id.ts';
import { estimateCompletionTokens, estimatePromptTokens } from './tokens.ts';
import type { ChatMessage, CompletionRequest, FinishReason, ProviderResult, ToolCall, ToolSpec } from './types.ts';

export interface OpenAiCompatibleOptions {
  /** Includes the version segment: `https://api.openai.com/v1`, `https://<resource>.openai.azure.com/openai/v1`, `http://localhost:11434/v1`. */
  baseUrl: string;
  apiKey: string;
  /** Newer OpenAI models want `max_completion_tokens`; vLLM/Ollama and older models take `max_tokens`. */
  maxTokensParameter?: 'max_tokens' | 'max_completion_tokens';
  /** Extra headers, e.g. `api-key` for Azure key auth or a gateway token. */
  headers?: Record<string, string>;
  logger: Logger;
}

const PROVIDER = 'openai';
const SDK_ERRORS = { APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError };

// Only the fields we read; everything else in the answer is ignored on purpose.
const WireToolCall = z.object({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.object({
    name: z.string().min(1),
    // Some compatible servers send the arguments as an object instead of JSON text.
    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  }),
});
const WireResponse = z.object({
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(WireToolCall).nullish(),
        }),
      }),
    )
    .min(1, 'choices is empty'),
  usage: z
    .object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() })
    .nullish(),
});

/** Chat Completions wire format (OpenAI, Azure OpenAI v1, vLLM, Ollama, LiteLLM). One attempt per `send`. */
export class OpenAiCompatibleAdapter implements WireAdapter {
  readonly name = PROVIDER;
  private readonly client: OpenAI;
  private readonly options: OpenAiCompatibleOptions;

  constructor(options: OpenAiCompatibleOptions) {
    this.options = options;
    this.client = new OpenAI(sdkClientOptions(options));
  }

  async send(request: CompletionRequest, signal: AbortSignal): Promise<ProviderResult> {
    const raw = await callSdk(PROVIDER, SDK_ERRORS, detailOf, () =>
      this.client.chat.completions.create(toWireRequest(request, this.options.maxTokensParameter), { signal }),
    );
    return this.fromWire(raw, request);
  }

  private fromWire(raw: unknown, request: CompletionRequest): ProviderResult {
    const parsed = WireResponse.safeParse(raw);
    if (!parsed.success) throw malformedAnswer(PROVIDER, 'chat completion', z.prettifyError(parsed.error));
    const choice = parsed.data.choices[0]!;
    const toolCalls = (choice.message.tool_calls ?? []).map((call, index): ToolCall => {
      const args = call.function.arguments;
      const text = typeof args === 'string' ? args : args ? JSON.stringify(args) : '';
      return {
        id: call.id || stableToolCallId(request.messages.length, index, call.function.name, text),
        name: call.function.name,
        arguments: text,
      };
    });
    const text = choice.message.content ?? choice.message.refusal ?? null;
    let usage = parsed.data.usage;
    if (!usage) {
      this.options.logger.warn({ provider: PROVIDER }, 'answer carries no usage; estimating tokens');
      usage = {
        prompt_tokens: estimatePromptTokens(request.messages, request.tools),
        completion_tokens: estimateCompletionTokens(text, toolCalls),
      };
    }
    return {
      text,
      toolCalls,
      usage: {
        promptTokens: usage.prompt_tokens,
        completionTokens: usage.completion_tokens,
        totalTokens: usage.prompt_tokens + usage.completion_tokens,
      },
      model: parsed.data.model ?? request.model,
      finishReason: mapFinishReason(choice.finish_reason, toolCalls.length > 0, choice.message.refusal),
    };
  }
}

/** Builds the exact Chat Completions request body for a neutral request. */
export function toWireRequest(
  request: CompletionRequest,
  maxTokensParameter: 'max_tokens' | 'max_completion_tokens' = 'max_tokens',
): ChatCompletionCreateParamsNonStreaming {
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: request.model,
    messages: request.messages.map(toWireMessage),
    stream: false,
  };
  if (request.tools.length > 0) {
    body.tools = request.tools.map(toWireTool);
    body.tool_choice = 'auto';
  }
  if (request.maxTokens !== undefined) body[maxTokensParameter] = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  return body;
}

function toWireMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content ?? '' };
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
  }
}

function toWireTool(tool: ToolSpec): ChatCompletionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

function mapFinishReason(
  reason: string | null | undefined,
  hasToolCalls: boolean,
  refusal: string | null | undefined,
): FinishReason {
  // Ollama and some vLLM builds answer tool calls with finish_reason "stop".
  if (hasToolCalls && (reason === 'stop' || reason === 'tool_calls' || reason === 'function_call' || !reason))
    return 'tool_calls';
  if (refusal) return 'content_filter';
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

function detailOf(error: unknown): string {
  const api = error as { code?: unknown; type?: unknown };
  return `${String(api.code ?? '')} ${String(api.type ?? '')}`;
}
