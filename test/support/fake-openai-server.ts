import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted HTTP answer. `dropConnection` destroys the socket (a connection reset). */
export interface QueuedResponse {
  status?: number;
  body?: unknown;
  /** Sent verbatim instead of JSON.stringify(body), e.g. to simulate a broken payload. */
  rawBody?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  dropConnection?: boolean;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  rawBody: string;
}

export interface FakeLlmServer {
  /** Base URL to hand to the SDK (OpenAI: ends in /v1; Anthropic: host only). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order, including rejected ones. */
  readonly requests: ReceivedRequest[];
  /** Queues answers consumed one per accepted request, in order. */
  enqueue(...responses: QueuedResponse[]): void;
  /** Answers still queued. */
  pending(): number;
  /** Resolves once at least `count` requests have been received (lets tests act after a request is in flight). */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

interface CoreOptions {
  /** Path prefix appended to the origin in `url`. */
  urlSuffix: string;
  /** Rejects a request the way the real API would (returns the error answer), or accepts it (undefined). */
  validate: (request: ReceivedRequest) => QueuedResponse | undefined;
  /** Answer when the queue is empty. */
  exhausted: () => QueuedResponse;
  /** Headers every answer carries (request ids). */
  baseHeaders: () => Record<string, string>;
}

/** node:http on 127.0.0.1:0 answering from a queue; shared by both fake providers. */
export async function startQueuedJsonServer(options: CoreOptions): Promise<FakeLlmServer> {
  const queue: QueuedResponse[] = [];
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters: { count: number; resolve: () => void }[] = [];

  const send = (res: ServerResponse, answer: QueuedResponse): void => {
    if (answer.dropConnection) {
      res.socket?.destroy();
      return;
    }
    const payload = answer.rawBody ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
    res.writeHead(answer.status ?? 200, {
      'content-type': 'application/json',
      ...options.baseHeaders(),
      ...answer.headers,
    });
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const received: ReceivedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      rawBody,
    };
    requests.push(received);
    for (const waiter of waiters.filter((item) => requests.length >= item.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const answer = options.validate(received) ?? queue.shift() ?? options.exhausted();
    if (!answer.delayMs) {
      send(res, answer);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) send(res, answer);
    }, answer.delayMs);
    timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake server failure: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${options.urlSuffix}`,
    port,
    requests,
    enqueue: (...responses) => void queue.push(...responses),
    pending: () => queue.length,
    waitForRequests: (count) =>
      requests.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- OpenAI Chat Completions ----------------------------------------------------------------------------

export interface FakeOpenAiOptions {
  /** When set, any other bearer token gets the real 401 `invalid_api_key` answer. */
  apiKey?: string;
}

/** Fake `POST /v1/chat/completions` speaking the real wire format, including its error bodies. */
export function startFakeOpenAiServer(options: FakeOpenAiOptions = {}): Promise<FakeLlmServer> {
  return startQueuedJsonServer({
    urlSuffix: '/v1',
    baseHeaders: () => ({ 'x-request-id': `req_${randomUUID().replaceAll('-', '')}` }),
    exhausted: () => openAiError(500, 'fake OpenAI server: no queued response', 'server_error'),
    validate: (request) => validateOpenAi(request, options),
  });
}

/** An OpenAI error answer: `{ error: { message, type, param, code } }`. */
export function openAiError(
  status: number,
  message: string,
  type = 'invalid_request_error',
  code: string | null = null,
  headers?: Record<string, string>,
): QueuedResponse {
  return { status, body: { error: { message, type, param: null, code } }, ...(headers ? { headers } : {}) };
}

export interface OpenAiAnswer {
  text?: string | null;
  toolCalls?: { id?: string; name: string; arguments: string }[];
  finishReason?: string;
  usage?: { prompt: number; completion: number };
  model?: string;
}

/** A 200 chat.completion answer as the real API shapes it. */
export function openAiCompletion(answer: OpenAiAnswer): QueuedResponse {
  const calls = answer.toolCalls ?? [];
  const usage = answer.usage ?? { prompt: 10, completion: 5 };
  return {
    status: 200,
    body: {
      id: `chatcmpl-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      object: 'chat.completion',
      created: 1_760_000_000,
      model: answer.model ?? 'gpt-test',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: answer.text ?? null,
            refusal: null,
            annotations: [],
            ...(calls.length > 0
              ? {
                  tool_calls: calls.map((call) => ({
                    ...(call.id === undefined ? {} : { id: call.id }),
                    type: 'function',
                    function: { name: call.name, arguments: call.arguments },
                  })),
                }
              : {}),
          },
          logprobs: null,
          finish_reason: answer.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
        },
      ],
      usage: {
        prompt_tokens: usage.prompt,
        completion_tokens: usage.completion,
        total_tokens: usage.prompt + usage.completion,
      },
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    },
  };
}

interface WireMessage {
  role?: unknown;
  tool_calls?: { id?: unknown }[];
  tool_call_id?: unknown;
}

function validateOpenAi(request: ReceivedRequest, options: FakeOpenAiOptions): QueuedResponse | undefined {
  if (request.method !== 'POST' || request.path.split('?')[0] !== '/v1/chat/completions') {
    return openAiError(404, `Invalid URL (${request.method} ${request.path})`);
  }
  const auth = request.headers.authorization;
  if (!auth?.startsWith('Bearer ')) {
    return openAiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  if (options.apiKey !== undefined && auth !== `Bearer ${options.apiKey}`) {
    return openAiError(
      401,
      'Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.',
      'invalid_request_error',
      'invalid_api_key',
    );
  }
  const body = request.body as
    { model?: unknown; messages?: unknown; tools?: unknown; tool_choice?: unknown } | undefined;
  if (!body || typeof body !== 'object') return openAiError(400, 'We could not parse the JSON body of your request.');
  if (typeof body.model !== 'string') return openAiError(400, 'you must provide a model parameter');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return openAiError(
      400,
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'invalid_request_error',
      'empty_array',
    );
  }
  if (body.tool_choice !== undefined && !Array.isArray(body.tools)) {
    return openAiError(
      400,
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
    );
  }
  return checkToolPairing(body.messages as WireMessage[]);
}

function checkToolPairing(messages: WireMessage[]): QueuedResponse | undefined {
  let open: Set<unknown> | undefined;
  for (const message of messages) {
    if (message.role === 'tool') {
      if (!open?.delete(message.tool_call_id)) {
        return openAiError(
          400,
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        );
      }
      continue;
    }
    if (open && open.size > 0) return unanswered(open);
    open =
      message.role === 'assistant' && message.tool_calls
        ? new Set(message.tool_calls.map((call) => call.id))
        : undefined;
  }
  return open && open.size > 0 ? unanswered(open) : undefined;
}

function unanswered(open: Set<unknown>): QueuedResponse {
  return openAiError(
    400,
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`,
  );
}
