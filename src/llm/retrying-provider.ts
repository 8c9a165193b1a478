import type { Logger } from '../logger.ts';
import { LlmError } from './errors.ts';
import { type RetryPolicy, withRetry } from './retry.ts';
import { estimatePromptTokens } from './tokens.ts';
import type { CompletionRequest, CompletionResponse, LlmProvider, ProviderResult } from './types.ts';

/** One wire format: sends a single HTTP attempt and normalises the answer. Never retries. */
export interface WireAdapter {
  readonly name: string;
  send(request: CompletionRequest, signal: AbortSignal): Promise<ProviderResult>;
}

export interface RetryingProviderOptions {
  defaultModel?: string;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Refuse (ContextTooLong) before calling when the estimated prompt exceeds this many tokens. */
  maxPromptTokens?: number;
  logger: Logger;
  random?: () => number;
}

/** Adds the shared policy around a wire adapter: model default, token budget, per-attempt timeout, retries, timing. */
export class RetryingProvider implements LlmProvider {
  readonly name: string;
  private readonly adapter: WireAdapter;
  private readonly options: RetryingProviderOptions;

  constructor(adapter: WireAdapter, options: RetryingProviderOptions) {
    this.name = adapter.name;
    this.adapter = adapter;
    this.options = options;
  }

  async complete(request: CompletionRequest): Promise<CompletionResponse> {
    const model = request.model || this.options.defaultModel;
    if (!model) {
      throw LlmError.create('no model given in the request or the provider configuration', {
        provider: this.name,
        category: 'BadRequest',
      });
    }
    this.checkBudget(request);
    const started = performance.now();
    const log = this.options.logger.child({ provider: this.name, model });
    const { value, attempts } = await withRetry((signal) => this.adapter.send({ ...request, model }, signal), {
      provider: this.name,
      policy: this.options.retry,
      timeoutMs: request.timeoutMs ?? this.options.timeoutMs,
      logger: log,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    const durationMs = Math.round(performance.now() - started);
    log.debug({ attempts, durationMs, usage: value.usage, finishReason: value.finishReason }, 'llm call completed');
    return { ...value, durationMs, attempts };
  }

  private checkBudget(request: CompletionRequest): void {
    const limit = this.options.maxPromptTokens;
    if (limit === undefined) return;
    const estimate = estimatePromptTokens(request.messages, request.tools);
    if (estimate > limit) {
      throw LlmError.create(`prompt is about ${estimate} tokens; the budget is ${limit}`, {
        provider: this.name,
        category: 'ContextTooLong',
      });
    }
  }
}
