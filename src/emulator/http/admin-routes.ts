import { z } from 'zod';
import { ApiError } from '../org/model.ts';
import type { EmulatorAdmin } from './admin.ts';
import { errorResult, json, methodNotAllowed, type RouteResult } from './respond.ts';

export const ADMIN_PREFIX = '/__emulator';

const count = z.number().int().min(0);
const status = z.number().int().min(400).max(599);
const Schemas = {
  faults: z
    .object({
      latencyMs: count.optional(),
      failNext: z
        .object({
          count,
          status: status.optional(),
          pathPrefix: z.string().optional(),
          soqlContains: z.string().min(1).optional(),
        })
        .optional(),
      failureRate: z
        .object({
          rate: z.number().min(0).max(1),
          seed: z.number().int().optional(),
          status: status.optional(),
          pathPrefix: z.string().optional(),
        })
        .optional(),
      dropNext: z.object({ count, pathPrefix: z.string().optional() }).optional(),
    })
    .strict(),
  revoke: z.object({ userId: z.string().optional(), username: z.string().optional() }).strict(),
  expire: z.object({ token: z.string().min(1) }).strict(),
  limit: z.object({ limit: count }).strict(),
  timeout: z.object({ seconds: z.number().int().min(1) }).strict(),
  advance: z.object({ ms: count }).strict(),
  evict: z.object({ userId: z.string().optional() }).strict(),
  retention: z.object({ hours: z.number().positive() }).strict(),
  purge: z.object({ olderThanHours: z.number().min(0).optional() }).strict(),
};

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ApiError(400, 'INVALID_INPUT', z.prettifyError(result.error));
  return result.data;
}

/** Drops keys whose value is undefined (exactOptionalPropertyTypes). */
function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

function post(method: string, fn: () => RouteResult): RouteResult {
  return method === 'POST' ? fn() : methodNotAllowed(method, ['POST']);
}

/** A log the admin surface reads with GET and empties with DELETE. */
function readOrClear(method: string, read: () => unknown, clear: () => void): RouteResult {
  if (method === 'GET') return json(200, read());
  if (method === 'DELETE') return (clear(), json(200, { ok: true }));
  return methodNotAllowed(method, ['GET', 'DELETE']);
}

/** `/faults`: GET the faults in force, DELETE them, POST more (latency, failures, a failure rate, dropped sockets). */
function faultsRoute(method: string, body: unknown, admin: EmulatorAdmin): RouteResult {
  if (method === 'GET') return json(200, admin.faults());
  if (method === 'DELETE') return (admin.clearFaults(), json(200, { ok: true }));
  if (method !== 'POST') return methodNotAllowed(method, ['GET', 'POST', 'DELETE']);
  const f = parse(Schemas.faults, body);
  if (f.latencyMs !== undefined) admin.setLatency(f.latencyMs);
  if (f.failNext)
    admin.failNext(
      f.failNext.count,
      defined({
        status: f.failNext.status,
        pathPrefix: f.failNext.pathPrefix,
        soqlContains: f.failNext.soqlContains,
      }),
    );
  if (f.failureRate) {
    const { rate, ...options } = f.failureRate;
    admin.setFailureRate(rate, defined(options));
  }
  if (f.dropNext) admin.dropNext(f.dropNext.count, defined({ pathPrefix: f.dropNext.pathPrefix }));
  return json(200, admin.faults());
}

/**
 * `/__emulator/*`: no auth (the HTTP layer only lets loopback peers in). JSON in, JSON out:
 *   POST /reset                      org, usage, tokens, locators, faults, clock and streaming back to the seed
 *   GET  /usage                      {limit, used, remaining, byUser, byToken}
 *   GET|DELETE /requests             request log [{seq, time, method, path, userId, tokenId, status, counted}]
 *   GET|POST|DELETE /faults          {latencyMs?, failNext?: {count, status?, pathPrefix?, soqlContains?},
 *                                     failureRate?: {rate, seed?, status?, pathPrefix?}, dropNext?: {count, pathPrefix?}}
 *   GET  /tokens                     token records (tokenId, userId, timestamps, revoked; never the token)
 *   POST /tokens/revoke {userId?|username?}   POST /tokens/expire {token}  (token or tokenId)
 *   POST /session-timeout {seconds}  POST /clock/advance {ms}
 *   POST /api-limit {limit}          POST /api-limit/exhaust
 *   POST /cometd/evict {userId?}     POST /events/retention {hours}   POST /events/purge {olderThanHours?}
 *   GET  /records/{Type}[?includeDeleted=true]   every record as the system sees it
 *   GET|DELETE /outbox               emails sent with the emailSimple action [{seq, sentAt, fromUserId, fromUsername, to, subject, body}]
 *   GET|DELETE /notifications        custom notifications sent with customNotificationAction [{seq, sentAt, fromUserId,
 *                                    fromUsername, senderId, typeId, typeDeveloperName, recipientIds, deliveredTo, title,
 *                                    body, targetId, targetPageRef}]
 */
export function adminRoute(
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
  admin: EmulatorAdmin,
): RouteResult {
  const sub = path.slice(ADMIN_PREFIX.length).replace(/\/+$/, '');
  const ok = (value: unknown = { ok: true }): RouteResult => json(200, value);
  try {
    if (sub.startsWith('/records/')) {
      if (method !== 'GET') return methodNotAllowed(method, ['GET']);
      const type = decodeURIComponent(sub.slice('/records/'.length));
      return ok(admin.records(type, { includeDeleted: query.get('includeDeleted') === 'true' }));
    }
    switch (sub) {
      case '/reset':
        return post(method, () => (admin.reset(), ok()));
      case '/usage':
        return method === 'GET' ? ok(admin.usage()) : methodNotAllowed(method, ['GET']);
      case '/requests':
        return readOrClear(
          method,
          () => admin.requestLog(),
          () => admin.clearRequestLog(),
        );
      case '/faults':
        return faultsRoute(method, body, admin);
      case '/outbox':
        return readOrClear(
          method,
          () => admin.outbox(),
          () => admin.clearOutbox(),
        );
      case '/notifications':
        return readOrClear(
          method,
          () => admin.notifications(),
          () => admin.clearNotifications(),
        );
      case '/tokens':
        return method === 'GET' ? ok(admin.tokens()) : methodNotAllowed(method, ['GET']);
      case '/tokens/revoke':
        return post(method, () => ok({ revoked: admin.revokeTokens(defined(parse(Schemas.revoke, body))) }));
      case '/tokens/expire':
        return post(method, () => ok({ expired: admin.expireToken(parse(Schemas.expire, body).token) }));
      case '/session-timeout':
        return post(method, () => (admin.setSessionTimeout(parse(Schemas.timeout, body).seconds), ok()));
      case '/clock/advance':
        return post(method, () => (admin.advanceClock(parse(Schemas.advance, body).ms), ok()));
      case '/api-limit':
        return post(method, () => (admin.setApiLimit(parse(Schemas.limit, body).limit), ok(admin.usage())));
      case '/api-limit/exhaust':
        return post(method, () => (admin.exhaustApiLimit(), ok(admin.usage())));
      case '/cometd/evict':
        return post(method, () => ok({ evicted: admin.evictCometdClients(defined(parse(Schemas.evict, body))) }));
      case '/events/retention':
        return post(method, () => (admin.setEventRetention(parse(Schemas.retention, body).hours), ok()));
      case '/events/purge':
        return post(method, () => ok({ purged: admin.purgeEvents(defined(parse(Schemas.purge, body))) }));
      default:
        return errorResult(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, body: error.toBody() };
    throw error;
  }
}
