/**
 * The emulator's CometD (Bayeux) server, hand-written on purpose. faye ships a Bayeux server (NodeAdapter), but the
 * clients under test (faye, jsforce, @salesforce/core's StreamingClient) must see what Salesforce's server sends, not
 * what faye's does: Salesforce's `replay` extension (-1/-2 and per-channel replay IDs within the retention window),
 * its error texts (`403::Unknown client`, `400::API version in the URI is mandatory`, `401::Authentication invalid`),
 * its HTTP statuses, advice and timeouts (110 s connect, 40 s reconnect after events), long polling only, and its
 * per-org limits (concurrent clients). Each of these is a few lines here and a fight with faye's server there.
 */
import type { Logger } from '../../logger.ts';
import { silentLogger } from '../../logger.ts';
import type { EventSink, Schema, UserAccess } from '../org/model.ts';
import { ClientRegistry, type ClientInfo } from './client-registry.ts';
import { HttpErrors, StreamingErrors } from './errors.ts';
import { EventBus, type EventBusOptions } from './event-bus.ts';
import { parseMessages, type BayeuxReply } from './messages.ts';
import { MetaChannels } from './meta-channels.ts';

export type { ClientInfo } from './client-registry.ts';
export { RECONNECT_AFTER_EVENTS_MS } from './meta-channels.ts';

export const DEFAULT_CONNECT_TIMEOUT_MS = 110_000;
export const MAX_COMETD_BODY_BYTES = 32_768;
/** Developer Edition: 20 concurrent CometD clients. */
export const DEFAULT_MAX_CLIENTS = 20;
const MIN_API_VERSION = 37;

export interface StreamingDeps {
  resolveToken(token: string): { userId: string; access: UserAccess } | undefined;
  touchToken?(token: string): void;
  schema: Schema;
  logger?: Logger;
  connectTimeoutMs?: number;
  maxClients?: number;
  /** Options for the event bus (retention, allocations, clock, first replay id). */
  bus?: Omit<EventBusOptions, 'schema' | 'logger'>;
}

export interface StreamingRequest {
  /** The `NN.0` from `/cometd/NN.0`; '' or undefined when the URI had none. */
  version: string | undefined;
  authorization: string | undefined;
  /** The parsed JSON body. */
  messages: unknown;
  /** Raw body size; computed from `messages` when omitted. */
  bodyBytes?: number;
}

/**
 * `body` is the Bayeux reply array (also for the 400 version refusals); a 413 (body too large to read) carries a
 * plain-text `text` instead.
 */
export interface StreamingResponse {
  status: number;
  body: unknown;
  text?: string;
}

export interface Streaming {
  eventSink: EventSink;
  bus: EventBus;
  handle(request: StreamingRequest): Promise<StreamingResponse>;
  /** Forgets every client, as a server restart would: their next request gets `403::Unknown client`. */
  evictAll(): void;
  evictClient(clientId: string): boolean;
  clients(): ClientInfo[];
  /** Re-checks every client's token now and answers held connects of revoked ones. */
  revalidateTokens(): void;
  setConnectTimeoutMs(ms: number): void;
  /** `/limits` entries: delivered/published platform events and concurrent CometD clients. */
  limits(): Record<string, { Max: number; Remaining: number }>;
  close(): void;
}

/** Salesforce's CometD endpoint for platform events (wire protocol §3), on top of the org's event bus. */
export function createStreaming(deps: StreamingDeps): Streaming {
  const logger = (deps.logger ?? silentLogger()).child({ component: 'cometd' });
  const bus = new EventBus({ ...deps.bus, schema: deps.schema, logger });
  const clients = new ClientRegistry(deps.maxClients ?? DEFAULT_MAX_CLIENTS, logger);
  let connectTimeoutMs = deps.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let closed = false;
  const meta = new MetaChannels({
    resolveToken: (token) => deps.resolveToken(token),
    touchToken: (token) => deps.touchToken?.(token),
    bus,
    clients,
    logger,
    connectTimeoutMs: () => connectTimeoutMs,
  });

  return {
    eventSink: bus,
    bus,
    handle: (request) => handleRequest(request, meta, closed),
    evictAll: () => clients.endAll('evicted'),
    evictClient(clientId) {
      const session = clients.get(clientId);
      if (!session) return false;
      clients.end(session, 'evicted');
      return true;
    },
    clients: () => clients.info(),
    revalidateTokens() {
      for (const session of clients.all()) {
        const resolved = deps.resolveToken(session.token);
        if (!resolved || resolved.userId !== session.userId) clients.end(session, 'revoked');
      }
    },
    setConnectTimeoutMs(ms) {
      if (!Number.isFinite(ms) || ms <= 0)
        throw new RangeError(`connect timeout must be a positive number of ms, got ${ms}`);
      connectTimeoutMs = ms;
    },
    limits() {
      const { maxClients } = clients;
      return {
        ...bus.limits(),
        DurableStreamingApiConcurrentClients: { Max: maxClients, Remaining: Math.max(0, maxClients - clients.size) },
      };
    },
    close() {
      closed = true;
      clients.endAll('closed');
    },
  };
}

/** One HTTP request to `/cometd/NN.0`: the version, size and shutdown checks, then each message in turn. */
async function handleRequest(
  request: StreamingRequest,
  meta: MetaChannels,
  closed: boolean,
): Promise<StreamingResponse> {
  const versionError = checkVersion(request.version);
  if (versionError) return { status: 400, body: versionFailure(request.messages, versionError) };
  const size = request.bodyBytes ?? Buffer.byteLength(JSON.stringify(request.messages ?? null));
  if (size > MAX_COMETD_BODY_BYTES) return { status: 413, body: undefined, text: HttpErrors.tooLarge };
  if (closed) return { status: 503, body: undefined, text: 'Streaming is shut down' };
  const parsed = parseMessages(request.messages);
  // A connect batched with other messages is answered at once so their replies are not held with it.
  const mayHold = parsed.length === 1;
  const replies: BayeuxReply[] = [];
  for (const item of parsed) {
    if (item.ok) replies.push(...(await meta.dispatch(item.message, request.authorization, mayHold)));
    else replies.push(invalidMessageReply(item.raw, item.problem));
  }
  return { status: 200, body: replies };
}

/** The failure reply to a message that is not a Bayeux message (echoing its channel and id when it has them). */
function invalidMessageReply(raw: unknown, problem: string): BayeuxReply {
  const fields = (raw ?? {}) as Record<string, unknown>;
  const reply: BayeuxReply = {
    channel: typeof fields.channel === 'string' ? fields.channel : '/meta/unknown',
    successful: false,
  };
  if (typeof fields.id === 'string' || typeof fields.id === 'number') reply.id = fields.id;
  reply.error = StreamingErrors.invalidMessage(problem);
  return reply;
}

/**
 * A version refusal is HTTP 400 with Bayeux failures in the body: faye parses bodies whatever the status, and
 * @salesforce/core's StreamingClient looks for `400::API version in the URI is mandatory` on `/meta/handshake`.
 */
function versionFailure(messages: unknown, text: string): BayeuxReply[] {
  const items = (Array.isArray(messages) ? messages : [messages]) as unknown[];
  return items.map((item) => {
    const raw = (item !== null && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const reply: BayeuxReply = {
      channel: typeof raw.channel === 'string' ? raw.channel : '/meta/handshake',
      successful: false,
    };
    if (typeof raw.id === 'string' || typeof raw.id === 'number') reply.id = raw.id;
    reply.error = `400::${text}`;
    return reply;
  });
}

/** Salesforce's answers for a missing or pre-37.0 version in `/cometd/{NN.0}`; undefined when acceptable. */
export function checkVersion(version: string | undefined): string | undefined {
  if (version === undefined || version.trim() === '') return HttpErrors.versionMissing;
  const match = /^(\d+)\.0$/.exec(version.trim());
  if (!match) return HttpErrors.versionMissing;
  return Number(match[1]) < MIN_API_VERSION ? HttpErrors.versionUnsupported : undefined;
}
