/**
 * The CometD clients the server knows: one session per handshake, up to the org's concurrent-client limit, and the
 * ids of clients a revoked token ended (they keep answering 401, not "Unknown client", which would invite a
 * re-handshake).
 */
import type { Logger } from '../../logger.ts';
import { ClientSession, type WakeReason } from './session.ts';

const MAX_REVOKED_REMEMBERED = 1000;

export interface ClientInfo {
  clientId: string;
  userId: string;
  channels: string[];
  queued: number;
  holding: boolean;
}

export class ClientRegistry {
  private readonly sessions = new Map<string, ClientSession>();
  private readonly revokedClients = new Set<string>();
  readonly maxClients: number;
  private readonly logger: Logger;

  constructor(maxClients: number, logger: Logger) {
    this.maxClients = maxClients;
    this.logger = logger;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(clientId: string): ClientSession | undefined {
    return this.sessions.get(clientId);
  }

  add(session: ClientSession): void {
    this.sessions.set(session.clientId, session);
  }

  /** Whether a revoked token ended this client. */
  wasRevoked(clientId: string): boolean {
    return this.revokedClients.has(clientId);
  }

  /** A snapshot of the open sessions (safe to end them while iterating). */
  all(): ClientSession[] {
    return [...this.sessions.values()];
  }

  end(session: ClientSession, reason: WakeReason): void {
    this.sessions.delete(session.clientId);
    if (reason === 'revoked') this.rememberRevoked(session.clientId);
    session.end(reason);
    this.logger.debug({ clientId: session.clientId, reason }, 'client removed');
  }

  endAll(reason: WakeReason): void {
    for (const session of this.all()) this.end(session, reason);
  }

  info(): ClientInfo[] {
    return this.all().map((session) => ({
      clientId: session.clientId,
      userId: session.userId,
      channels: [...session.subscriptions.keys()],
      queued: session.queue.length,
      holding: session.holding,
    }));
  }

  private rememberRevoked(clientId: string): void {
    this.revokedClients.add(clientId);
    // Insertion order makes the oldest entry first; the set only needs to outlive a client's retry loop.
    if (this.revokedClients.size > MAX_REVOKED_REMEMBERED)
      this.revokedClients.delete(this.revokedClients.values().next().value as string);
  }
}
