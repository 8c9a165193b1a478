import { LlmError } from './errors.ts';
import { type ParsedScript, type ScriptRule, type ScriptedScript, parseScript } from './script-schema.ts';
import { stableToolCallId } from './tool-call-id.ts';
import { TemplateError, renderText, renderValue } from './templating.ts';
import { estimateCompletionTokens, estimatePromptTokens } from './tokens.ts';
import type { ChatMessage, CompletionRequest, CompletionResponse, LlmProvider, ToolCall } from './types.ts';

const PROVIDER = 'scripted';

/** A tool result as scripts see it: JSON content parsed, anything else kept as text. */
export interface ScriptToolResult {
  tool: string;
  toolCallId: string;
  content: string;
  /** Parsed JSON content, or the raw text. Templates reach into it: `{{lastToolResult.records.0.Id}}`. */
  value: unknown;
}

/** What rules are matched against and templates are rendered from. */
export interface ConversationState {
  lastUserMessage: string;
  lastMessageRole: ChatMessage['role'] | undefined;
  turnStep: number;
  /** Results of the latest tool step (tool messages after the last assistant message). */
  stepResults: ScriptToolResult[];
  /** Latest result per tool name over the whole conversation. */
  toolResults: Record<string, ScriptToolResult>;
  toolsAvailable: string[];
}

/** Reads the conversation the way rules see it. */
export function conversationState(request: CompletionRequest): ConversationState {
  const { messages } = request;
  let lastUser = -1;
  let lastAssistant = -1;
  messages.forEach((message, index) => {
    if (message.role === 'user') lastUser = index;
    if (message.role === 'assistant') lastAssistant = index;
  });
  const toolResults: Record<string, ScriptToolResult> = {};
  const stepResults: ScriptToolResult[] = [];
  messages.forEach((message, index) => {
    if (message.role !== 'tool') return;
    const result = toScriptResult(message);
    toolResults[message.name] = result;
    if (lastAssistant >= 0 && index > lastAssistant && index > lastUser) stepResults.push(result);
  });
  const userMessage = messages[lastUser];
  return {
    lastUserMessage: userMessage?.role === 'user' ? userMessage.content : '',
    lastMessageRole: messages.at(-1)?.role,
    turnStep: messages.slice(lastUser + 1).filter((message) => message.role === 'assistant').length,
    stepResults,
    toolResults,
    toolsAvailable: request.tools.map((tool) => tool.name),
  };
}

/** The step result a rule matched (or the last one when the rule does not constrain it); null when it does not match. */
function matchRule(
  rule: ScriptRule,
  state: ConversationState,
): { lastToolResult: ScriptToolResult | undefined } | null {
  const when = rule.when;
  if (when.lastUserMessage && !when.lastUserMessage.test(state.lastUserMessage)) return null;
  if (when.lastMessageRole && when.lastMessageRole !== state.lastMessageRole) return null;
  if (when.turnStep !== undefined && when.turnStep !== state.turnStep) return null;
  if (when.toolsAvailable && !when.toolsAvailable.every((name) => state.toolsAvailable.includes(name))) return null;
  if (!when.lastToolResult) return { lastToolResult: state.stepResults.at(-1) };
  const { tool, contains } = when.lastToolResult;
  const hit = state.stepResults.findLast(
    (result) =>
      (tool === undefined || result.tool === tool) && (contains === undefined || contains.test(result.content)),
  );
  return hit ? { lastToolResult: hit } : null;
}

/**
 * A deterministic, zero-latency model: the first matching rule answers. Usable without a provider object,
 * e.g. in property tests. Throws LlmError(MalformedResponse) when no rule matches or a template is unresolved.
 */
export function scriptedResponder(
  script: ScriptedScript | ParsedScript,
): (request: CompletionRequest) => CompletionResponse {
  const parsed = parseScript(script);
  return (request) => {
    const state = conversationState(request);
    for (const [index, rule] of parsed.rules.entries()) {
      const match = matchRule(rule, state);
      if (match)
        return respond(rule, rule.id ?? `rule ${index + 1}`, request, state, match.lastToolResult, parsed.model);
    }
    throw LlmError.create(
      `no scripted rule matched (turnStep ${state.turnStep}, last message ${state.lastMessageRole ?? 'none'}, ` +
        `step results [${state.stepResults.map((result) => result.tool).join(', ')}])`,
      { provider: PROVIDER, category: 'MalformedResponse' },
    );
  };
}

function respond(
  rule: ScriptRule,
  ruleName: string,
  request: CompletionRequest,
  state: ConversationState,
  lastToolResult: ScriptToolResult | undefined,
  scriptModel: string | undefined,
): CompletionResponse {
  const answer = rule.respond;
  if (answer.error) {
    throw LlmError.create(answer.error.message ?? `scripted ${answer.error.category} from ${ruleName}`, {
      provider: PROVIDER,
      category: answer.error.category,
      ...(answer.error.status === undefined ? {} : { status: answer.error.status }),
      ...(answer.error.retryAfterMs === undefined ? {} : { retryAfterMs: answer.error.retryAfterMs }),
    });
  }
  const context = {
    lastUserMessage: state.lastUserMessage,
    turnStep: state.turnStep,
    lastToolResult: lastToolResult?.value,
    toolResults: Object.fromEntries(Object.entries(state.toolResults).map(([name, result]) => [name, result.value])),
  };
  let text: string | null;
  let toolCalls: ToolCall[];
  try {
    text = answer.text === undefined ? null : renderText(answer.text, context);
    toolCalls = (answer.toolCalls ?? []).map((call, index) => {
      const args =
        typeof call.arguments === 'string'
          ? renderText(call.arguments, context)
          : JSON.stringify(renderValue(call.arguments, context));
      return {
        id: call.id ?? stableToolCallId(request.messages.length, index, call.name, args),
        name: call.name,
        arguments: args,
      };
    });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    throw LlmError.create(`${ruleName}: ${error.message}`, {
      provider: PROVIDER,
      category: 'MalformedResponse',
      cause: error,
    });
  }
  const promptTokens = answer.usage?.promptTokens ?? estimatePromptTokens(request.messages, request.tools);
  const completionTokens = answer.usage?.completionTokens ?? estimateCompletionTokens(text, toolCalls);
  return {
    text,
    toolCalls,
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    model: scriptModel ?? (request.model || PROVIDER),
    finishReason: answer.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    durationMs: 0,
    attempts: 1,
  };
}

/** A request as the scripted provider recorded it (no AbortSignal). */
export type RecordedRequest = Omit<CompletionRequest, 'signal'>;

/** LlmProvider over a script; records every request so tests can assert what the model saw. */
export class ScriptedProvider implements LlmProvider {
  readonly name = PROVIDER;
  /** Every request received, deep-copied at call time, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly responder: (request: CompletionRequest) => CompletionResponse;

  constructor(script: ScriptedScript | ParsedScript) {
    this.responder = scriptedResponder(script);
  }

  async complete(request: CompletionRequest): Promise<CompletionResponse> {
    const { signal, ...rest } = request;
    this.requests.push(structuredClone(rest));
    if (signal?.aborted) {
      throw LlmError.create('scripted call cancelled by the caller', { provider: PROVIDER, category: 'Timeout' });
    }
    return this.responder(request);
  }
}

function toScriptResult(message: Extract<ChatMessage, { role: 'tool' }>): ScriptToolResult {
  let value: unknown = message.content;
  try {
    value = JSON.parse(unwrapData(message.content));
  } catch {
    // Plain-text tool results stay strings.
  }
  return { tool: message.name, toolCallId: message.toolCallId, content: message.content, value };
}

/**
 * The runtime delimits tool output as untrusted data (`<untrusted_data tool="x">`, a notice line, the body, the closing
 * tag). A real model reads through that; the script reads the JSON body.
 */
function unwrapData(content: string): string {
  const match = /^<untrusted_data[^>]*>\n[^\n]*\n([\s\S]*)\n<\/untrusted_data>$/.exec(content);
  return match ? match[1]! : content;
}
