import { actionsFor } from '../actions/registry.ts';
import type { OutboxEmail, SentNotification } from '../actions/types.ts';
import { ApiError } from '../org/model.ts';
import type { SObjectRecord } from '../org/model.ts';
import type { FaultSettings } from './faults.ts';
import type { OrgServices } from './org-services.ts';
import type { TokenRecord } from './tokens.ts';
import type { RequestLogEntry, UsageSnapshot } from './usage.ts';

/** What the streaming module offers the admin surface (evictions, retention). Absent until it is wired. */
export interface StreamingControls {
  evictClients(filter?: { userId?: string }): number;
  setEventRetention(hours: number): void;
  purgeEvents(options?: { olderThanHours?: number }): number;
  reset?(): void;
  limits?(): Record<string, { Max: number; Remaining: number }>;
}

export interface AdminDeps extends OrgServices {
  /** The seed's allocation, restored by reset. */
  seedApiLimit: number;
  seedSessionTimeoutSeconds: number;
  streaming: () => StreamingControls | undefined;
}

/** In-process access to the same controls as `/__emulator/*`, for tests and the demo. */
export class EmulatorAdmin {
  constructor(private readonly deps: AdminDeps) {}

  /** Seed data, usage, tokens, locators, faults, clock and streaming state back to the start. */
  reset(): void {
    const { org, tokens, usage, faults, clock, locators } = this.deps;
    org.reset();
    tokens.clear();
    tokens.setSessionTimeout(this.deps.seedSessionTimeoutSeconds);
    usage.reset(this.deps.seedApiLimit);
    faults.clear();
    clock.reset();
    locators.clear();
    this.deps.streaming()?.reset?.();
    actionsFor(org).clearOutbox();
    actionsFor(org).clearNotifications();
  }

  /** Emails sent through the standard `emailSimple` action (never delivered), oldest first. */
  outbox(): OutboxEmail[] {
    return actionsFor(this.deps.org).outbox();
  }

  clearOutbox(): void {
    actionsFor(this.deps.org).clearOutbox();
  }

  /** Custom notifications sent through the standard `customNotificationAction` (never pushed), oldest first. */
  notifications(): SentNotification[] {
    return actionsFor(this.deps.org).notifications();
  }

  clearNotifications(): void {
    actionsFor(this.deps.org).clearNotifications();
  }

  usage(): UsageSnapshot {
    return this.deps.usage.snapshot();
  }

  requestLog(): RequestLogEntry[] {
    return this.deps.usage.requestLog();
  }

  clearRequestLog(): void {
    this.deps.usage.clearLog();
  }

  setApiLimit(limit: number): void {
    this.deps.usage.setLimit(limit);
  }

  exhaustApiLimit(): void {
    this.deps.usage.exhaust();
  }

  setLatency(ms: number): void {
    this.deps.faults.setLatency(ms);
  }

  failNext(count: number, options: { status?: number; pathPrefix?: string; soqlContains?: string } = {}): void {
    this.deps.faults.failNext(count, options);
  }

  setFailureRate(rate: number, options: { seed?: number; status?: number; pathPrefix?: string } = {}): void {
    this.deps.faults.setFailureRate(rate, options);
  }

  dropNext(count: number, options: { pathPrefix?: string } = {}): void {
    this.deps.faults.dropNext(count, options);
  }

  clearFaults(): void {
    this.deps.faults.clear();
  }

  faults(): FaultSettings {
    return this.deps.faults.snapshot();
  }

  /** Revokes every token, or one user's (by id or username); returns how many were live. */
  revokeTokens(filter: { userId?: string; username?: string } = {}): number {
    if (filter.username !== undefined) {
      const user = this.deps.org.userByUsername(filter.username);
      if (!user) return 0;
      return this.deps.tokens.revokeAll({ userId: user.id });
    }
    return this.deps.tokens.revokeAll(filter.userId === undefined ? {} : { userId: filter.userId });
  }

  /** Expires one token (the token itself or its tokenId). */
  expireToken(tokenOrId: string): boolean {
    return this.deps.tokens.expire(tokenOrId);
  }

  /** Token records without the secrets (tokenId, user, timestamps, revoked). */
  tokens(): TokenRecord[] {
    return this.deps.tokens.list();
  }

  setSessionTimeout(seconds: number): void {
    this.deps.tokens.setSessionTimeout(seconds);
  }

  /** Moves the emulator clock forward (idle timeouts, locator expiry) without waiting. */
  advanceClock(ms: number): void {
    this.deps.clock.advance(ms);
  }

  evictCometdClients(filter: { userId?: string } = {}): number {
    return this.requireStreaming().evictClients(filter);
  }

  setEventRetention(hours: number): void {
    this.requireStreaming().setEventRetention(hours);
  }

  purgeEvents(options: { olderThanHours?: number } = {}): number {
    return this.requireStreaming().purgeEvents(options);
  }

  /** Every record of a type as the system sees it (deleted ones too when asked). */
  records(type: string, options: { includeDeleted?: boolean } = {}): SObjectRecord[] {
    const def = this.deps.org.schema.object(type);
    if (!def) throw new ApiError(404, 'NOT_FOUND', `Unknown sObject type ${type}`);
    return this.deps.org.store.all(def.name, options);
  }

  private requireStreaming(): StreamingControls {
    const streaming = this.deps.streaming();
    if (!streaming) throw new ApiError(501, 'NOT_IMPLEMENTED', 'The streaming module is not mounted');
    return streaming;
  }
}
