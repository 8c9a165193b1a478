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
import { tokenFromAuthorization } from './auth.ts';
import { BayeuxError, HttpErrors, StreamingErrors } from './errors.ts';
import { EventBus, type EventBusOptions } from './event-bus.ts';
import {
  failure,
  parseMessages,
  replyTo,
  requestedReplay,
  SERVER_EXT,
  type BayeuxMessage,
  type BayeuxReply,
} from './messages.ts';
import { ClientSession, type WakeReason } from './session.ts';

export const DEFAULT_CONNECT_TIMEOUT_MS = 110_000;
/** After a connect reply that carried events the client must be back within 40 s (wire protocol §3.3). */
export const RECONNECT_AFTER_EVENTS_MS = 40_000;
export const MAX_COMETD_BODY_BYTES = 32_768;
/** Developer Edition: 20 concurrent CometD clients. */
export const DEFAULT_MAX_CLIENTS = 20;
const MIN_API_VERSION = 37;
const MAX_REVOKED_REMEMBERED = 1000;

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

export interface ClientInfo {
  clientId: string;
  userId: string;
  channels: string[];
  queued: number;
  holding: boolean;
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
  const sessions = new Map<string, ClientSession>();
  // Clients ended by a revoked token keep answering 401 (not "Unknown client", which would invite a re-handshake).
  const revokedClients = new Set<string>();
  const maxClients = deps.maxClients ?? DEFAULT_MAX_CLIENTS;
  let connectTimeoutMs = deps.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let closed = false;

  const connectAdvice = (): BayeuxReply => ({ reconnect: 'retry', interval: 0, timeout: connectTimeoutMs });
  const handshakeAdvice = { reconnect: 'handshake', interval: 0 };
  const noReconnect = { reconnect: 'none', interval: 0 };

  function endSession(session: ClientSession, reason: WakeReason): void {
    sessions.delete(session.clientId);
    if (reason === 'revoked') rememberRevoked(session.clientId);
    session.end(reason);
    logger.debug({ clientId: session.clientId, reason }, 'client removed');
  }

  function rememberRevoked(clientId: string): void {
    revokedClients.add(clientId);
    // Insertion order makes the oldest entry first; the set only needs to outlive a client's retry loop.
    if (revokedClients.size > MAX_REVOKED_REMEMBERED)
      revokedClients.delete(revokedClients.values().next().value as string);
  }

  /** Every request after the handshake is re-authenticated; a dead token ends the client for good. */
  function authenticate(session: ClientSession, authorization: string | undefined): boolean {
    const token = tokenFromAuthorization(authorization) ?? session.token;
    const resolved = deps.resolveToken(token);
    if (!resolved || resolved.userId !== session.userId) {
      endSession(session, 'revoked');
      return false;
    }
    session.token = token;
    session.access = resolved.access;
    deps.touchToken?.(token);
    return true;
  }

  function handshake(message: BayeuxMessage, authorization: string | undefined): BayeuxReply {
    const denied = (reason: string): BayeuxReply =>
      replyTo(message, {
        successful: false,
        error: StreamingErrors.handshakeDenied,
        advice: noReconnect,
        ext: { sfdc: { failureReason: reason }, ...SERVER_EXT },
      });
    const token = tokenFromAuthorization(authorization);
    if (token === undefined) return denied(StreamingErrors.requiresAuthentication);
    const resolved = deps.resolveToken(token);
    if (!resolved) return denied(StreamingErrors.authenticationInvalid);
    if (sessions.size >= maxClients) return denied(StreamingErrors.concurrentClientLimit);
    deps.touchToken?.(token);
    const session = new ClientSession(token, resolved.userId, resolved.access);
    sessions.set(session.clientId, session);
    // A client that handshakes and never connects is dropped like one that stops reconnecting.
    session.armExpiry(connectTimeoutMs, () => endSession(session, 'evicted'));
    logger.debug({ clientId: session.clientId, userId: session.userId }, 'handshake');
    return replyTo(message, {
      successful: true,
      clientId: session.clientId,
      version: '1.0',
      minimumVersion: '1.0',
      supportedConnectionTypes: ['long-polling'],
      advice: { reconnect: 'retry', interval: 0, timeout: connectTimeoutMs },
      ext: { ...SERVER_EXT },
    });
  }

  /** Resolves the client of a non-handshake meta message, or the failure reply to send instead. */
  function sessionFor(message: BayeuxMessage, authorization: string | undefined): ClientSession | BayeuxReply {
    if (message.clientId === undefined) return failure(message, StreamingErrors.notHandshaken, handshakeAdvice);
    if (revokedClients.has(message.clientId))
      return failure(message, StreamingErrors.authenticationInvalid, noReconnect);
    const session = sessions.get(message.clientId);
    if (!session) return failure(message, StreamingErrors.unknownClient, handshakeAdvice);
    if (!authenticate(session, authorization))
      return failure(message, StreamingErrors.authenticationInvalid, noReconnect);
    return session;
  }

  async function connect(
    message: BayeuxMessage,
    authorization: string | undefined,
    mayHold: boolean,
  ): Promise<BayeuxReply[]> {
    const found = sessionFor(message, authorization);
    if (!(found instanceof ClientSession)) return [found];
    const session = found;
    session.disarmExpiry();
    // The first connect is answered at once: faye's pre-advice request timeout (72 s) is below 110 s.
    // CometD clients may ask for an immediate answer with `advice.timeout: 0` (e.g. on their first connect).
    const wantsImmediate = (message.advice as { timeout?: unknown } | undefined)?.timeout === 0;
    if (session.connectedOnce && mayHold && !wantsImmediate && session.queue.length === 0) {
      const reason = await session.hold(connectTimeoutMs);
      const ended = connectEndReply(message, reason, session);
      if (ended) return [ended];
      if (reason === 'superseded') return [replyTo(message, { successful: true, advice: connectAdvice() })];
      if (!authenticate(session, authorization))
        return [failure(message, StreamingErrors.authenticationInvalid, noReconnect)];
    }
    session.connectedOnce = true;
    const events = session.drain();
    session.armExpiry(
      events.length > 0 ? Math.min(RECONNECT_AFTER_EVENTS_MS, connectTimeoutMs) : connectTimeoutMs,
      () => endSession(session, 'evicted'),
    );
    return [...events, replyTo(message, { successful: true, advice: connectAdvice() })];
  }

  function connectEndReply(
    message: BayeuxMessage,
    reason: WakeReason,
    session: ClientSession,
  ): BayeuxReply | undefined {
    const why =
      session.ended ??
      (reason === 'evicted' || reason === 'closed' || reason === 'revoked' || reason === 'disconnected'
        ? reason
        : undefined);
    if (why === undefined) return undefined;
    if (why === 'revoked') return failure(message, StreamingErrors.authenticationInvalid, noReconnect);
    if (why === 'disconnected') return replyTo(message, { successful: true, advice: noReconnect });
    return failure(message, StreamingErrors.unknownClient, handshakeAdvice);
  }

  function subscribe(message: BayeuxMessage, authorization: string | undefined): BayeuxReply {
    const found = sessionFor(message, authorization);
    if (!(found instanceof ClientSession)) return found;
    const session = found;
    const channel = message.subscription;
    if (channel === undefined) return failure(message, StreamingErrors.invalidMessage('subscription is required'));
    const object = bus.eventObjectForChannel(channel);
    if (!object) return failure(message, StreamingErrors.unknownChannel(channel));
    if (!session.access.canObject(object.name, 'read')) return failure(message, StreamingErrors.restrictedChannel);
    const replay = requestedReplay(message, channel);
    if (typeof replay !== 'number') return failure(message, StreamingErrors.invalidReplayId(replay.invalid));
    try {
      session.subscriptions.get(channel)?.unsubscribe();
      session.subscriptions.delete(channel);
      session.subscriptions.set(
        channel,
        bus.subscribe(channel, replay, (event) => session.enqueue(event)),
      );
    } catch (error) {
      if (error instanceof BayeuxError) return failure(message, error.error);
      throw error;
    }
    logger.debug({ clientId: session.clientId, channel, replay }, 'subscribed');
    return replyTo(message, { successful: true, subscription: channel });
  }

  function unsubscribe(message: BayeuxMessage, authorization: string | undefined): BayeuxReply {
    const found = sessionFor(message, authorization);
    if (!(found instanceof ClientSession)) return found;
    const channel = message.subscription ?? '';
    found.subscriptions.get(channel)?.unsubscribe();
    found.subscriptions.delete(channel);
    return replyTo(message, { successful: true, subscription: channel });
  }

  function disconnect(message: BayeuxMessage): BayeuxReply {
    const session = message.clientId === undefined ? undefined : sessions.get(message.clientId);
    if (!session) return failure(message, StreamingErrors.unknownClient, handshakeAdvice);
    endSession(session, 'disconnected');
    return replyTo(message, { successful: true });
  }

  async function dispatch(
    message: BayeuxMessage,
    authorization: string | undefined,
    mayHold: boolean,
  ): Promise<BayeuxReply[]> {
    switch (message.channel) {
      case '/meta/handshake':
        return [handshake(message, authorization)];
      case '/meta/connect':
        return connect(message, authorization, mayHold);
      case '/meta/subscribe':
        return [subscribe(message, authorization)];
      case '/meta/unsubscribe':
        return [unsubscribe(message, authorization)];
      case '/meta/disconnect':
        return [disconnect(message)];
      default:
        if (message.channel.startsWith('/meta/'))
          return [failure(message, StreamingErrors.unknownMetaChannel(message.channel))];
        return [failure(message, StreamingErrors.publishNotAllowed(message.channel))];
    }
  }

  async function handle(request: StreamingRequest): Promise<StreamingResponse> {
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
      if (!item.ok) {
        const raw = (item.raw ?? {}) as Record<string, unknown>;
        const reply: BayeuxReply = {
          channel: typeof raw.channel === 'string' ? raw.channel : '/meta/unknown',
          successful: false,
        };
        if (typeof raw.id === 'string' || typeof raw.id === 'number') reply.id = raw.id;
        reply.error = StreamingErrors.invalidMessage(item.problem);
        replies.push(reply);
        continue;
      }
      replies.push(...(await dispatch(item.message, request.authorization, mayHold)));
    }
    return { status: 200, body: replies };
  }

  return {
    eventSink: bus,
    bus,
    handle,
    evictAll() {
      for (const session of [...sessions.values()]) endSession(session, 'evicted');
    },
    evictClient(clientId) {
      const session = sessions.get(clientId);
      if (!session) return false;
      endSession(session, 'evicted');
      return true;
    },
    clients() {
      return [...sessions.values()].map((session) => ({
        clientId: session.clientId,
        userId: session.userId,
        channels: [...session.subscriptions.keys()],
        queued: session.queue.length,
        holding: session.holding,
      }));
    },
    revalidateTokens() {
      for (const session of [...sessions.values()]) {
        const resolved = deps.resolveToken(session.token);
        if (!resolved || resolved.userId !== session.userId) endSession(session, 'revoked');
      }
    },
    setConnectTimeoutMs(ms) {
      if (!Number.isFinite(ms) || ms <= 0)
        throw new RangeError(`connect timeout must be a positive number of ms, got ${ms}`);
      connectTimeoutMs = ms;
    },
    limits() {
      return {
        ...bus.limits(),
        DurableStreamingApiConcurrentClients: { Max: maxClients, Remaining: Math.max(0, maxClients - sessions.size) },
      };
    },
    close() {
      closed = true;
      for (const session of [...sessions.values()]) endSession(session, 'closed');
    },
  };
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
