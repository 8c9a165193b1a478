import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_COMETD_BODY_BYTES, type Streaming, type StreamingResponse } from './bayeux-server.ts';
import { HttpErrors } from './errors.ts';

/** Matches `/cometd/62.0` (and `/cometd` or `/cometd/` without a version, which Salesforce refuses with 400). */
export const COMETD_PATH = /^\/cometd(?:\/([^/?]*))?\/?(?:\?.*)?$/;

/** The version segment of a CometD URL, '' when absent; undefined when the path is not a CometD path. */
export function cometdVersion(url: string): string | undefined {
  const match = COMETD_PATH.exec(url);
  return match ? (match[1] ?? '') : undefined;
}

/**
 * Serves one HTTP request on `/cometd/{NN.0}`: POST bodies are Bayeux JSON; anything else (faye's WebSocket upgrade
 * attempt is a GET) is refused so the client falls back to long-polling, as against Salesforce.
 */
export async function serveCometd(
  streaming: Streaming,
  req: IncomingMessage,
  res: ServerResponse,
  version: string,
): Promise<void> {
  if (req.method !== 'POST') {
    writeResult(
      res,
      { status: 405, body: undefined, text: `HTTP Method '${req.method ?? ''}' not allowed. Allowed are POST` },
      { Allow: 'POST' },
    );
    return;
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_COMETD_BODY_BYTES) {
    writeResult(res, { status: 413, body: undefined, text: HttpErrors.tooLarge }, { Connection: 'close' });
    req.resume();
    return;
  }
  const raw = await readLimited(req, MAX_COMETD_BODY_BYTES);
  if (raw === undefined) {
    writeResult(res, { status: 413, body: undefined, text: HttpErrors.tooLarge }, { Connection: 'close' });
    return;
  }
  let messages: unknown;
  try {
    messages = JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    writeResult(res, { status: 400, body: undefined, text: 'Request body is not valid JSON' });
    return;
  }
  const result = await streaming.handle({
    version,
    authorization: req.headers.authorization,
    messages,
    bodyBytes: raw.length,
  });
  writeResult(res, result);
}

/**
 * Reads the body, or undefined once it passes `maxBytes` (chunked bodies have no Content-Length to check). Events
 * rather than for-await: leaving a for-await loop early destroys the socket before the 413 can be written.
 */
function readLimited(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function writeResult(
  res: ServerResponse,
  result: StreamingResponse,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const isText = result.text !== undefined;
  const payload = isText ? (result.text as string) : JSON.stringify(result.body);
  res.writeHead(result.status, {
    ...headers,
    'Content-Type': isText ? 'text/plain;charset=UTF-8' : 'application/json;charset=UTF-8',
    'Content-Length': String(Buffer.byteLength(payload)),
    'Cache-Control': 'no-cache',
  });
  res.end(payload);
}
