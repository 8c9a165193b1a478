import { randomUUID } from 'node:crypto';
import {
  type FakeLlmServer,
  type QueuedResponse,
  type ReceivedRequest,
  startQueuedJsonServer,
} from './fake-openai-server.ts';

export type { FakeLlmServer, QueuedResponse, ReceivedRequest } from './fake-openai-server.ts';

export interface FakeAnthropicOptions {
  /** When set, any other key (Bearer or x-api-key) gets the real 401 answer. */
  apiKey?: string;
}

/**
 * Fake `POST /v1/messages`. Requires `anthropic-version`, accepts `Authorization: Bearer` (what SDK 1.12 sends)
 * or `x-api-key`, and enforces the tool_use → tool_result pairing the real API enforces.
 */
export function startFakeAnthropicServer(options: FakeAnthropicOptions = {}): Promise<FakeLlmServer> {
  return startQueuedJsonServer({
    urlSuffix: '',
    baseHeaders: () => ({ 'request-id': `req_${randomUUID().replaceAll('-', '')}` }),
    exhausted: () => anthropicError(500, 'api_error', 'fake Anthropic server: no queued response'),
    validate: (request) => validateAnthropic(request, options),
  });
}

/** An Anthropic error answer: `{ type: 'error', error: { type, message } }`. */
export function anthropicError(
  status: number,
  type: string,
  message: string,
  headers?: Record<string, string>,
): QueuedResponse {
  return {
    status,
    body: { type: 'error', error: { type, message }, request_id: `req_${randomUUID().replaceAll('-', '')}` },
    ...(headers ? { headers } : {}),
  };
}

export interface AnthropicAnswer {
  text?: string;
  toolUses?: { id: string; name: string; input: unknown }[];
  stopReason?: string;
  usage?: { input: number; output: number; cacheRead?: number };
  model?: string;
}

/** A 200 Messages answer as the real API shapes it. */
export function anthropicMessage(answer: AnthropicAnswer): QueuedResponse {
  const uses = answer.toolUses ?? [];
  const usage = answer.usage ?? { input: 12, output: 6 };
  return {
    status: 200,
    body: {
      id: `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      type: 'message',
      role: 'assistant',
      model: answer.model ?? 'claude-test',
      content: [
        ...(answer.text === undefined ? [] : [{ type: 'text', text: answer.text }]),
        ...uses.map((use) => ({ type: 'tool_use', id: use.id, name: use.name, input: use.input })),
      ],
      stop_reason: answer.stopReason ?? (uses.length > 0 ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      usage: {
        input_tokens: usage.input,
        output_tokens: usage.output,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: usage.cacheRead ?? 0,
      },
    },
  };
}

interface Block {
  type?: unknown;
  id?: unknown;
  tool_use_id?: unknown;
}
interface WireMessage {
  role?: unknown;
  content?: unknown;
}

function invalid(message: string): QueuedResponse {
  return anthropicError(400, 'invalid_request_error', message);
}

function validateAnthropic(request: ReceivedRequest, options: FakeAnthropicOptions): QueuedResponse | undefined {
  if (request.method !== 'POST' || request.path.split('?')[0] !== '/v1/messages') {
    return anthropicError(404, 'not_found_error', `Not found: ${request.method} ${request.path}`);
  }
  const bearer = request.headers.authorization?.replace(/^Bearer /, '');
  const key = request.headers['x-api-key'] ?? bearer;
  if (!key) return anthropicError(401, 'authentication_error', 'x-api-key header is required');
  if (options.apiKey !== undefined && key !== options.apiKey) {
    return anthropicError(401, 'authentication_error', 'invalid x-api-key');
  }
  if (!request.headers['anthropic-version']) return invalid('anthropic-version: header is required');
  const body = request.body as { model?: unknown; max_tokens?: unknown; messages?: unknown } | undefined;
  if (!body || typeof body !== 'object') return invalid('There was an issue with your request body: invalid JSON');
  if (typeof body.model !== 'string') return invalid('model: Field required');
  if (typeof body.max_tokens !== 'number') return invalid('max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return invalid('messages: at least one message is required');
  return checkConversation(body.messages as WireMessage[]);
}

function checkConversation(messages: WireMessage[]): QueuedResponse | undefined {
  let previousToolUses: unknown[] = [];
  for (const [index, message] of messages.entries()) {
    if (message.role !== 'user' && message.role !== 'assistant') {
      return invalid(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    }
    if (index > 0 && messages[index - 1]!.role === message.role) {
      return invalid(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${message.role}" roles in a row`,
      );
    }
    const blocks: Block[] =
      typeof message.content === 'string' ? [{ type: 'text' }] : ((message.content as Block[]) ?? []);
    if (blocks.length === 0) return invalid(`messages.${index}: all messages must have non-empty content`);
    const results = blocks.filter((block) => block.type === 'tool_result').map((block) => block.tool_use_id);
    const missing = previousToolUses.filter((id) => !results.includes(id));
    if (missing.length > 0) {
      return invalid(
        `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
    const unexpected = results.filter((id) => !previousToolUses.includes(id));
    if (unexpected.length > 0) {
      return invalid(
        `messages.${index}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unexpected.join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
      );
    }
    previousToolUses =
      message.role === 'assistant' ? blocks.filter((block) => block.type === 'tool_use').map((block) => block.id) : [];
  }
  if (messages.at(-1)?.role === 'assistant' && previousToolUses.length > 0) {
    return invalid(
      `messages.${messages.length - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${previousToolUses.join(', ')}.`,
    );
  }
  return undefined;
}
