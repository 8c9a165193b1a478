/**
 * The `HttpCallout` tool kind: an admin-configured request to an allow-listed endpoint. The model only supplies
 * arguments (validated against Parameters__c first); the URL, method and headers are the admin's, header secrets come
 * from the worker's environment (`env:NAME`), and the destination is checked by CalloutGuard before anything is sent.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import type { ToolDefinition, ToolOutcome } from '../ports.ts';
import { CalloutGuard, CalloutRefused } from './callout-guard.ts';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'expect',
]);
const MAX_REDIRECTS = 3;

export const CalloutConfig = z.strictObject({
  url: z.string().regex(/^https?:\/\/[^/{}]+(?:[/?#].*)?$/, 'must be an http(s) URL whose host has no {placeholders}'),
  method: z.enum(['GET', 'POST']).default('GET'),
  headers: z
    .record(
      z.string().regex(HEADER_NAME, 'not a valid header name'),
      z.string().regex(/^[^\r\n]*$/, 'header values are one line'),
    )
    .refine(
      (headers) =>
        Object.keys(headers).every(
          (name) => !RESERVED_HEADERS.has(name.toLowerCase()) && !name.toLowerCase().startsWith('proxy-'),
        ),
      'Host, Content-Length, Connection and hop-by-hop headers are set by the worker',
    )
    .default({}),
  timeoutMs: z.number().int().min(1).max(120_000).default(10_000),
  maxResponseBytes: z
    .number()
    .int()
    .min(1)
    .max(5 * 1024 * 1024)
    .default(65_536),
});
export type CalloutConfig = z.infer<typeof CalloutConfig>;

export interface CalloutDeps {
  guard: CalloutGuard;
  /** The worker's environment: the only source of `env:NAME` header values. */
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

export async function runCallout(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  deps: CalloutDeps,
): Promise<ToolOutcome> {
  const parsed = CalloutConfig.safeParse(tool.backendConfiguration);
  if (!parsed.success)
    return failure('Configuration', `The callout "${tool.name}" is misconfigured: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  const headers = resolveHeaders(config.headers, deps.env);
  if ('missing' in headers)
    return failure(
      'Configuration',
      `The callout "${tool.name}" needs the worker environment variable(s) ${headers.missing.join(', ')}, which are not set.`,
    );

  const filled = fillUrl(config.url, args);
  if ('error' in filled) return failure('InvalidArguments', filled.error);
  let url: URL;
  try {
    url = new URL(filled.url);
  } catch {
    return failure('InvalidArguments', 'The arguments do not make a valid URL.');
  }
  const bodyArgs = Object.fromEntries(Object.entries(args).filter(([name]) => !filled.used.has(name)));
  const body = config.method === 'POST' ? JSON.stringify(bodyArgs) : undefined;
  const timeout = AbortSignal.timeout(config.timeoutMs);
  const signal = deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;

  try {
    let method: string = config.method;
    for (let hop = 0; ; hop += 1) {
      deps.guard.check(url);
      const response = await send(
        url,
        method,
        {
          ...headers.values,
          ...(body !== undefined && method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        method === 'POST' ? body : undefined,
        deps.guard,
        signal,
      );
      const location =
        response.statusCode && response.statusCode >= 300 && response.statusCode < 400
          ? response.headers.location
          : undefined;
      if (location === undefined) return await readResult(response, config.maxResponseBytes);
      response.resume();
      const next = new URL(location, url);
      // Only same-origin redirects are followed; anything else could walk the request off the allow-list.
      if (next.origin !== url.origin)
        throw new CalloutRefused(
          'CalloutRedirectRefused',
          `The endpoint redirected to another host (${next.host}); redirects are only followed within ${url.host}.`,
        );
      if (hop + 1 >= MAX_REDIRECTS)
        throw new CalloutRefused('CalloutRedirectRefused', `More than ${MAX_REDIRECTS} redirects.`);
      if (response.statusCode !== 307 && response.statusCode !== 308) method = 'GET';
      url = next;
    }
  } catch (error) {
    if (error instanceof CalloutRefused) return failure(error.category, error.message);
    if (timeout.aborted) return failure('CalloutTimeout', `The endpoint did not answer within ${config.timeoutMs} ms.`);
    if (deps.signal?.aborted)
      return failure('CalloutAborted', 'The callout was stopped because the worker is shutting down.');
    if (error instanceof ResponseTooLarge) return failure('CalloutResponseTooLarge', error.message);
    return failure('CalloutFailed', `The request failed: ${(error as Error).message}`);
  }
}

/** `{name}` placeholders, each filled from a scalar argument and URL-encoded; the host part never takes arguments. */
function fillUrl(
  template: string,
  args: Record<string, unknown>,
): { url: string; used: Set<string> } | { error: string } {
  const used = new Set<string>();
  const missing: string[] = [];
  const url = template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const value = args[name];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      missing.push(name);
      return '';
    }
    if (value === '') missing.push(name);
    used.add(name);
    return encodeURIComponent(String(value));
  });
  if (missing.length > 0)
    return { error: `The URL needs a non-empty text or number argument for: ${missing.join(', ')}.` };
  return { url, used };
}

function resolveHeaders(
  headers: Record<string, string>,
  env: CalloutDeps['env'],
): { values: Record<string, string> } | { missing: string[] } {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const ref = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
    if (!ref) {
      values[name] = value;
      continue;
    }
    const secret = env[ref[1] ?? ''];
    if (secret === undefined || secret === '' || /[\r\n]/.test(secret)) missing.push(ref[1] ?? '');
    else values[name] = secret;
  }
  return missing.length > 0 ? { missing } : { values };
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  guard: CalloutGuard,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      signal,
      lookup: guard.lookup,
      headers: {
        'user-agent': 'Loom-Worker',
        accept: 'application/json, text/plain;q=0.9, */*;q=0.5',
        'accept-encoding': 'identity',
        ...headers,
        ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
      },
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end(body);
  });
}

class ResponseTooLarge extends Error {}

async function readResult(response: IncomingMessage, maxBytes: number): Promise<ToolOutcome> {
  const tooLarge = (): ResponseTooLarge =>
    new ResponseTooLarge(`The response is larger than the configured limit of ${maxBytes} bytes.`);
  if (Number(response.headers['content-length'] ?? 0) > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      response.destroy();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  if (/\bjson\b/i.test(response.headers['content-type'] ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  const status = response.statusCode ?? 0;
  const ok = status >= 200 && status < 300;
  return ok
    ? { ok, result: { status, body } }
    : {
        ok,
        errorCategory: 'CalloutHttpError',
        result: { status, body, error: `The endpoint answered HTTP ${status}.` },
      };
}

function failure(category: string, message: string): ToolOutcome {
  return { ok: false, errorCategory: category, result: { error: message } };
}
