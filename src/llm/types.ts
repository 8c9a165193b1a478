/** A tool call as the model produced it; `arguments` stays raw so invalid JSON can be reported back to the model. */
export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it (may be empty or invalid). */
  arguments: string;
}

/** One message of a provider-neutral conversation. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

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
