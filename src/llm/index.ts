export type {
  ChatMessage,
  CompletionRequest,
  CompletionResponse,
  FinishReason,
  LlmProvider,
  ToolCall,
  ToolSpec,
  Usage,
} from './types.ts';
export {
  LlmError,
  LlmPermanentError,
  LlmTransientError,
  isLlmError,
  type LlmErrorCategory,
  type LlmErrorFields,
} from './errors.ts';
export { MAX_TOOL_ARGUMENT_BYTES, parseToolArguments, type ParsedToolArguments } from './tool-arguments.ts';
export { estimateCompletionTokens, estimateCostUsd, estimatePromptTokens, estimateTextTokens } from './tokens.ts';
export { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, createProvider, type ProviderConfig } from './create-provider.ts';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, type RetryPolicy } from './retry.ts';
export { ScriptedProvider, scriptedResponder, type RecordedRequest } from './scripted.ts';
export { loadScriptFile, parseScript, type ParsedScript, type ScriptedScript } from './script-schema.ts';
export { createProviderFromConfig } from './from-config.ts';
