import type { IncomingMessage, ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json;charset=UTF-8';

/** A REST-level error entry: `[{message, errorCode, fields?}]`. */
export interface ErrorEntry {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** What every route returns: the HTTP layer serializes it (and composite embeds it). */
export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Plain-text body (identity endpoints answer `Bad_OAuth_Token` this way). */
  text?: string;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): RouteResult {
  return headers ? { status, body, headers } : { status, body };
}

export function errorResult(status: number, errorCode: string, message: string, fields?: string[]): RouteResult {
  const entry: ErrorEntry = fields ? { message, errorCode, fields } : { message, errorCode };
  return { status, body: [entry] };
}

export const notFound = (): RouteResult => errorResult(404, 'NOT_FOUND', 'The requested resource does not exist');

export const methodNotAllowed = (method: string, allowed: string[]): RouteResult => ({
  ...errorResult(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`),
  headers: { Allow: allowed.join(', ') },
});

/** Writes a RouteResult; `extraHeaders` (e.g. Sforce-Limit-Info) are added to every response. */
export function send(res: ServerResponse, result: RouteResult, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...extraHeaders, ...result.headers };
  let payload: string | undefined;
  if (result.text !== undefined) {
    headers['Content-Type'] = 'text/plain;charset=UTF-8';
    payload = result.text;
  } else if (result.body !== undefined) {
    headers['Content-Type'] = JSON_TYPE;
    payload = JSON.stringify(result.body);
  }
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(result.status, headers);
  res.end(payload);
}

/** Origin the client used to reach us (`http://host:port`), from the Host header. */
export function requestOrigin(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return host ? `http://${host}` : fallback;
}
