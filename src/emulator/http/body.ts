import type { IncomingMessage } from 'node:http';
import { ApiError } from '../org/model.ts';

/** Upper bound on request bodies; Salesforce caps REST bodies far below this. */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** Reads the whole body (node decodes chunked transfer encoding for us). */
export async function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) throw new ApiError(413, 'REQUEST_ENTITY_TOO_LARGE', 'Request body is too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Parses an `application/x-www-form-urlencoded` body into a flat map (the last value of a key wins). */
export function parseForm(raw: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) out[key] = value;
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON request body; an empty body is `undefined`, malformed JSON or bytes that are not UTF-8 are 400
 * JSON_PARSER_ERROR, as the platform's parser refuses them instead of storing replacement characters.
 */
export function parseJsonBody(raw: Buffer): unknown {
  let decoded: string;
  try {
    decoded = strictUtf8.decode(raw);
  } catch {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'Invalid UTF-8 byte sequence in JSON body');
  }
  const text = decoded.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Unexpected character in JSON body: ${detail}`);
  }
}
