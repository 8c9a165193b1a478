/** A tool call as the model produced it; `arguments` stays raw so invalid JSON can be reported back to the model. */
export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it (may be empty or invalid). */
  arguments: string;
}

declare const modelText: unique symbol;

/**
 * Text admitted to a model prompt. Only the runtime's gate (`admit` in src/runtime/model-input.ts) produces it, after
 * injection screening, PII masking and, for anything that is not the user's own request, the untrusted-data wrapper:
 * a plain string in a message is a compile error, so no path can hand the model text that skipped the trust layers.
 */
export type ModelText = string & { readonly [modelText]: true };

/** One message of a provider-neutral conversation; every text in it came through the gate. */
export type ChatMessage =
  | { role: 'system'; content: ModelText }
  | { role: 'user'; content: ModelText }
  | { role: 'assistant'; content: ModelText | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: ModelText };

/** A tool offered to the model; `parameters` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** One model call. `timeoutMs` bounds each attempt; `signal` cancels the whole call including retries. */
export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  tools: ToolSpec[];
  maxTokens?: number;
  temperature?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Token usage as the provider reported it (or as the scripted provider counted it). */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other';

/** The normalised answer of one model call, after retries. */
export interface CompletionResponse {
  text: string | null;
  toolCalls: ToolCall[];
  usage: Usage;
  model: string;
  finishReason: FinishReason;
  /** Wall time of the whole call including retries and backoff. */
  durationMs: number;
  /** HTTP attempts made (1 when the first one succeeded). */
  attempts: number;
}

/** What the governed loop calls. Implementations never retry outside `complete`. */
export interface LlmProvider {
  readonly name: string;
  complete(request: CompletionRequest): Promise<CompletionResponse>;
}

/** A provider answer before the retry layer adds timing and attempt count. */
export type ProviderResult = Omit<CompletionResponse, 'durationMs' | 'attempts'>;
