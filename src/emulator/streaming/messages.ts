import { z } from 'zod';

/** One inbound Bayeux message; unknown keys are kept (clients add their own ext data). */
export const bayeuxMessageSchema = z.looseObject({
  channel: z.string().min(1, 'channel is required'),
  id: z.union([z.string(), z.number()]).optional(),
  clientId: z.string().optional(),
  subscription: z.string().optional(),
  connectionType: z.string().optional(),
  ext: z.record(z.string(), z.unknown()).optional(),
});

export type BayeuxMessage = z.infer<typeof bayeuxMessageSchema>;
export type BayeuxReply = Record<string, unknown>;

/** Server ext advertised on handshakes: replay and compact payloads are on. */
export const SERVER_EXT = { replay: true, 'payload.format': true } as const;

/** Starts a reply: echoes channel, id and clientId as faye matches replies by id. */
export function replyTo(message: BayeuxMessage, fields: BayeuxReply): BayeuxReply {
  const reply: BayeuxReply = { channel: message.channel };
  if (message.id !== undefined) reply.id = message.id;
  if (message.clientId !== undefined) reply.clientId = message.clientId;
  return Object.assign(reply, fields);
}

export function failure(message: BayeuxMessage, error: string, advice?: BayeuxReply): BayeuxReply {
  const fields: BayeuxReply = { successful: false, error };
  if (message.subscription !== undefined) fields.subscription = message.subscription;
  if (advice) fields.advice = advice;
  return replyTo(message, fields);
}

/**
 * The replay position a subscribe asks for: `ext.replay[channel]`; -1 when absent. Non-numeric values are returned
 * as-is so the caller can quote them in the invalid-replay error.
 */
export function requestedReplay(message: BayeuxMessage, channel: string): number | { invalid: unknown } {
  const map = message.ext?.replay;
  if (map === undefined || map === null || typeof map !== 'object') return -1;
  const value = (map as Record<string, unknown>)[channel];
  if (value === undefined || value === null) return -1;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return { invalid: value };
}

/** Parses a request body into messages: a single object or an array of them. */
export function parseMessages(
  body: unknown,
): Array<{ ok: true; message: BayeuxMessage } | { ok: false; raw: unknown; problem: string }> {
  const items = Array.isArray(body) ? body : [body];
  return items.map((raw) => {
    const parsed = bayeuxMessageSchema.safeParse(raw);
    if (parsed.success) return { ok: true as const, message: parsed.data };
    return {
      ok: false as const,
      raw,
      problem: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`).join('; '),
    };
  });
}
