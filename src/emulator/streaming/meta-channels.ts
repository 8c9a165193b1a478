/**
 * The Bayeux meta channels as Salesforce answers them: `/meta/handshake`, `/meta/connect` (long polling, held up to
 * the connect timeout), `/meta/subscribe` with the `replay` extension, `/meta/unsubscribe` and `/meta/disconnect`.
 * Every request after the handshake is re-authenticated; clients may not publish.
 */
import type { Logger } from '../../logger.ts';
import type { UserAccess } from '../org/model.ts';
import { tokenFromAuthorization } from './auth.ts';
import type { ClientRegistry } from './client-registry.ts';
import { BayeuxError, StreamingErrors } from './errors.ts';
import type { EventBus } from './event-bus.ts';
import { failure, replyTo, requestedReplay, SERVER_EXT, type BayeuxMessage, type BayeuxReply } from './messages.ts';
import { ClientSession, type WakeReason } from './session.ts';

/** After a connect reply that carried events the client must be back within 40 s (wire protocol §3.3). */
export const RECONNECT_AFTER_EVENTS_MS = 40_000;

const handshakeAdvice = { reconnect: 'handshake', interval: 0 };
const noReconnect = { reconnect: 'none', interval: 0 };

export interface MetaChannelDeps {
  resolveToken(token: string): { userId: string; access: UserAccess } | undefined;
  touchToken(token: string): void;
  bus: EventBus;
  clients: ClientRegistry;
  logger: Logger;
  /** The connect timeout now (operators may change it while clients are connected). */
  connectTimeoutMs(): number;
}

export class MetaChannels {
  private readonly deps: MetaChannelDeps;

  constructor(deps: MetaChannelDeps) {
    this.deps = deps;
  }

  /** The replies to one message; a connect may be held when it came alone (`mayHold`). */
  async dispatch(message: BayeuxMessage, authorization: string | undefined, mayHold: boolean): Promise<BayeuxReply[]> {
    switch (message.channel) {
      case '/meta/handshake':
        return [this.handshake(message, authorization)];
      case '/meta/connect':
        return this.connect(message, authorization, mayHold);
      case '/meta/subscribe':
        return [this.subscribe(message, authorization)];
      case '/meta/unsubscribe':
        return [this.unsubscribe(message, authorization)];
      case '/meta/disconnect':
        return [this.disconnect(message)];
      default:
        if (message.channel.startsWith('/meta/'))
          return [failure(message, StreamingErrors.unknownMetaChannel(message.channel))];
        return [failure(message, StreamingErrors.publishNotAllowed(message.channel))];
    }
  }

  private connectAdvice(): BayeuxReply {
    return { reconnect: 'retry', interval: 0, timeout: this.deps.connectTimeoutMs() };
  }

  private handshake(message: BayeuxMessage, authorization: string | undefined): BayeuxReply {
    const denied = (reason: string): BayeuxReply =>
      replyTo(message, {
        successful: false,
        error: StreamingErrors.handshakeDenied,
        advice: noReconnect,
        ext: { sfdc: { failureReason: reason }, ...SERVER_EXT },
      });
    const token = tokenFromAuthorization(authorization);
    if (token === undefined) return denied(StreamingErrors.requiresAuthentication);
    const resolved = this.deps.resolveToken(token);
    if (!resolved) return denied(StreamingErrors.authenticationInvalid);
    if (this.deps.clients.size >= this.deps.clients.maxClients) return denied(StreamingErrors.concurrentClientLimit);
    this.deps.touchToken(token);
    const session = new ClientSession(token, resolved.userId, resolved.access);
    this.deps.clients.add(session);
    // A client that handshakes and never connects is dropped like one that stops reconnecting.
    session.armExpiry(this.deps.connectTimeoutMs(), () => this.deps.clients.end(session, 'evicted'));
    this.deps.logger.debug({ clientId: session.clientId, userId: session.userId }, 'handshake');
    return replyTo(message, {
      successful: true,
      clientId: session.clientId,
      version: '1.0',
      minimumVersion: '1.0',
      supportedConnectionTypes: ['long-polling'],
      advice: this.connectAdvice(),
      ext: { ...SERVER_EXT },
    });
  }

  /** Every request after the handshake is re-authenticated; a dead token ends the client for good. */
  private authenticate(session: ClientSession, authorization: string | undefined): boolean {
    const token = tokenFromAuthorization(authorization) ?? session.token;
    const resolved = this.deps.resolveToken(token);
    if (!resolved || resolved.userId !== session.userId) {
      this.deps.clients.end(session, 'revoked');
      return false;
    }
    session.token = token;
    session.access = resolved.access;
    this.deps.touchToken(token);
    return true;
  }

  /** Resolves the client of a non-handshake meta message, or the failure reply to send instead. */
  private sessionFor(message: BayeuxMessage, authorization: string | undefined): ClientSession | BayeuxReply {
    if (message.clientId === undefined) return failure(message, StreamingErrors.notHandshaken, handshakeAdvice);
    if (this.deps.clients.wasRevoked(message.clientId))
      return failure(message, StreamingErrors.authenticationInvalid, noReconnect);
    const session = this.deps.clients.get(message.clientId);
    if (!session) return failure(message, StreamingErrors.unknownClient, handshakeAdvice);
    if (!this.authenticate(session, authorization))
      return failure(message, StreamingErrors.authenticationInvalid, noReconnect);
    return session;
  }

  private async connect(
    message: BayeuxMessage,
    authorization: string | undefined,
    mayHold: boolean,
  ): Promise<BayeuxReply[]> {
    const found = this.sessionFor(message, authorization);
    if (!(found instanceof ClientSession)) return [found];
    const session = found;
    session.disarmExpiry();
    // The first connect is answered at once: faye's pre-advice request timeout (72 s) is below 110 s.
    // CometD clients may ask for an immediate answer with `advice.timeout: 0` (e.g. on their first connect).
    const wantsImmediate = (message.advice as { timeout?: unknown } | undefined)?.timeout === 0;
    if (session.connectedOnce && mayHold && !wantsImmediate && session.queue.length === 0) {
      const reason = await session.hold(this.deps.connectTimeoutMs());
      const ended = connectEndReply(message, reason, session);
      if (ended) return [ended];
      if (reason === 'superseded') return [replyTo(message, { successful: true, advice: this.connectAdvice() })];
      if (!this.authenticate(session, authorization))
        return [failure(message, StreamingErrors.authenticationInvalid, noReconnect)];
    }
    session.connectedOnce = true;
    const events = session.drain();
    const timeoutMs = this.deps.connectTimeoutMs();
    session.armExpiry(events.length > 0 ? Math.min(RECONNECT_AFTER_EVENTS_MS, timeoutMs) : timeoutMs, () =>
      this.deps.clients.end(session, 'evicted'),
    );
    return [...events, replyTo(message, { successful: true, advice: this.connectAdvice() })];
  }

  private subscribe(message: BayeuxMessage, authorization: string | undefined): BayeuxReply {
    const found = this.sessionFor(message, authorization);
    if (!(found instanceof ClientSession)) return found;
    const session = found;
    const channel = message.subscription;
    if (channel === undefined) return failure(message, StreamingErrors.invalidMessage('subscription is required'));
    const object = this.deps.bus.eventObjectForChannel(channel);
    if (!object) return failure(message, StreamingErrors.unknownChannel(channel));
    if (!session.access.canObject(object.name, 'read')) return failure(message, StreamingErrors.restrictedChannel);
    const replay = requestedReplay(message, channel);
    if (typeof replay !== 'number') return failure(message, StreamingErrors.invalidReplayId(replay.invalid));
    try {
      session.subscriptions.get(channel)?.unsubscribe();
      session.subscriptions.delete(channel);
      session.subscriptions.set(
        channel,
        this.deps.bus.subscribe(channel, replay, (event) => session.enqueue(event)),
      );
    } catch (error) {
      if (error instanceof BayeuxError) return failure(message, error.error);
      throw error;
    }
    this.deps.logger.debug({ clientId: session.clientId, channel, replay }, 'subscribed');
    return replyTo(message, { successful: true, subscription: channel });
  }

  private unsubscribe(message: BayeuxMessage, authorization: string | undefined): BayeuxReply {
    const found = this.sessionFor(message, authorization);
    if (!(found instanceof ClientSession)) return found;
    const channel = message.subscription ?? '';
    found.subscriptions.get(channel)?.unsubscribe();
    found.subscriptions.delete(channel);
    return replyTo(message, { successful: true, subscription: channel });
  }

  private disconnect(message: BayeuxMessage): BayeuxReply {
    const session = message.clientId === undefined ? undefined : this.deps.clients.get(message.clientId);
    if (!session) return failure(message, StreamingErrors.unknownClient, handshakeAdvice);
    this.deps.clients.end(session, 'disconnected');
    return replyTo(message, { successful: true });
  }
}

/** The reply to a held connect whose session ended while it waited; undefined when the session goes on. */
function connectEndReply(message: BayeuxMessage, reason: WakeReason, session: ClientSession): BayeuxReply | undefined {
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
