/**
 * The emulator's HTTP front door and router, hand-written on purpose (the worker's own ops server uses fastify). The
 * emulator must answer exactly as an org does, before and around routing: the 16 KB URI-plus-headers limit, Salesforce's
 * JSON error arrays (`[{ message, errorCode }]`) for unknown paths, bad bodies and expired sessions, form bodies on the
 * OAuth endpoints and JSON on REST, API-version prefixes and the CometD mount on the same port. A framework's own 404,
 * 400 and 415 bodies and content-type parsing would each need overriding; a plain `node:http` dispatcher says it once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.ts';
import { ApiError } from '../org/model.ts';
import type { EmulatorAdmin } from './admin.ts';
import { ADMIN_PREFIX, adminRoute } from './admin-routes.ts';
import { dispatchApexRest } from './apex-rest.ts';
import { auraRoute, auraSession } from './aura.ts';
import { parseForm, parseJsonBody, readBody } from './body.ts';
import {
  bearerToken,
  identityRoute,
  identityUrl,
  introspectRoute,
  revokeRoute,
  tokenRoute,
  userinfoRoute,
} from './oauth.ts';
import type { OrgServices } from './org-services.ts';
import { errorResult, requestOrigin, send, type RouteResult } from './respond.ts';
import type { RestContext } from './rest/context.ts';
import { dispatchRest } from './rest/router.ts';
import type { TokenStore } from './tokens.ts';
import { versionsList } from './versions.ts';

/** Salesforce refuses requests whose URI plus headers exceed 16 KB. */
export const MAX_URI_AND_HEADERS = 16384;
export const DEFAULT_API_VERSION = '62.0';

/** Receives CometD traffic for `/cometd/{NN.0}` (the streaming module); `version` is '' when the URI has none. */
export type CometdHandler = (req: IncomingMessage, res: ServerResponse, version: string) => void | Promise<void>;

export interface HttpDeps extends OrgServices {
  admin: EmulatorAdmin;
  logger: Logger;
  /** The emulator's own origin (audience, fallback instance URL). */
  baseUrl: () => string;
  cometd: () => CometdHandler | undefined;
  extraLimits: () => Record<string, { Max: number; Remaining: number }>;
}

interface LogState {
  userId: string | null;
  tokenId: string | null;
  counted: boolean;
}

const SESSION_INVALID = errorResult(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
const isLoopback = (address: string | undefined): boolean =>
  address !== undefined &&
  (address.startsWith('127.') ||
    address === '::1' ||
    address === '::ffff:127.0.0.1' ||
    address.startsWith('::ffff:127.'));

function headerBytes(req: IncomingMessage): number {
  let total = (req.url ?? '').length;
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    total += (req.rawHeaders[i] ?? '').length + (req.rawHeaders[i + 1] ?? '').length + 4;
  return total;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The emulator's request handler: admin, OAuth, identity, REST and the CometD mount, with faults and the request log. */
export function createHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, deps).catch((error: unknown) => {
      // Path only: query strings can carry tokens (`oauth_token=` on identity URLs).
      deps.logger.error(
        { err: error, method: req.method, path: (req.url ?? '').split('?')[0] },
        'emulator request failed',
      );
      send(
        res,
        errorResult(
          500,
          'UNKNOWN_EXCEPTION',
          `An unexpected error occurred. Please include this ErrorId if you contact support: ${randomUUID()}`,
        ),
      );
    });
  };
}

/** One request, top-down: admin, the request log, faults, the header limit, CometD, then the routes that read a body. */
async function handle(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const path = url.pathname;

  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return handleAdmin(req, res, deps, method, url);
  const log = recordUsageOnClose(req, res, deps, method, path);
  if (await injectFault(req, res, deps, url)) return;
  if (headerBytes(req) > MAX_URI_AND_HEADERS) {
    return send(res, errorResult(431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'Request header fields too large'));
  }
  // CometD reads its own body (it enforces Salesforce's 32 KB cap), so it is handed over before ours is read.
  const cometd = /^\/cometd(?:\/([^/]*))?\/?$/.exec(path);
  if (cometd) return mountCometd(req, res, deps, log, cometd[1] ?? '');

  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch (error) {
    if (error instanceof ApiError) return send(res, { status: error.status, body: error.toBody() });
    throw error;
  }
  return route(req, res, deps, { method, url, raw, origin: requestOrigin(req, deps.baseUrl()), log });
}

/** A request whose body has been read, on its way to a route. */
interface ReadRequest {
  method: string;
  url: URL;
  raw: Buffer;
  origin: string;
  log: LogState;
}

/** A REST or Apex REST request: the API version and the path after `/services/data/vNN.0` (or `/services/apexrest`). */
interface RestRequest extends ReadRequest {
  version: string;
  rest: string;
  apex?: boolean;
}

async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  method: string,
  url: URL,
): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress))
    return send(res, errorResult(403, 'FORBIDDEN', 'The admin surface only answers loopback clients'));
  const body = parseJsonBody(await readBody(req));
  return send(res, adminRoute(method, url.pathname, url.searchParams, body, deps.admin));
}

/** Logs the request in the API usage log when its response closes; the routes fill in who called. */
function recordUsageOnClose(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  method: string,
  path: string,
): LogState {
  const log: LogState = { userId: null, tokenId: null, counted: false };
  res.on('close', () => {
    const status = res.writableFinished ? res.statusCode : 0;
    const turn = req.headers['x-loom-turn'];
    deps.usage.record(
      {
        method,
        path,
        userId: log.userId,
        tokenId: log.tokenId,
        turn: typeof turn === 'string' ? turn : null,
        status,
        counted: log.counted,
      },
      deps.clock.now(),
    );
  });
  return log;
}

/** The fault injected for this request, if any (a dropped socket, latency, a 5xx); true when it answered. */
async function injectFault(req: IncomingMessage, res: ServerResponse, deps: HttpDeps, url: URL): Promise<boolean> {
  const fault = deps.faults.decide(url.pathname, url.searchParams.get('q') ?? undefined);
  if (fault.kind === 'drop') {
    req.socket.destroy();
    return true;
  }
  if (deps.faults.latencyMs > 0) await sleep(deps.faults.latencyMs);
  if (fault.kind !== 'fail') return false;
  const result =
    fault.status === 503
      ? errorResult(503, 'SERVER_UNAVAILABLE', 'Service Unavailable')
      : errorResult(
          fault.status,
          'UNKNOWN_EXCEPTION',
          `An unexpected error occurred. Please include this ErrorId if you contact support: ${randomUUID()}`,
        );
  send(res, result, { 'Sforce-Limit-Info': deps.usage.header() });
  return true;
}

function mountCometd(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  log: LogState,
  version: string,
): void | Promise<void> {
  const token = bearerToken(req);
  const resolved = token ? deps.tokens.resolve(token) : undefined;
  if (resolved) Object.assign(log, { userId: resolved.userId, tokenId: resolved.tokenId });
  const handler = deps.cometd();
  if (!handler) return send(res, errorResult(404, 'NOT_FOUND', 'Streaming is not mounted on this emulator'));
  return handler(req, res, version);
}

/** OAuth, identity, the versions list, REST and Apex REST. */
function route(req: IncomingMessage, res: ServerResponse, deps: HttpDeps, r: ReadRequest): void | Promise<void> {
  const path = r.url.pathname;
  if (path.startsWith('/services/oauth2/')) return send(res, oauthRoute(req, deps, r));

  const identity = /^\/id\/([A-Za-z0-9]{15,18})\/([A-Za-z0-9]{15,18})\/?$/.exec(path);
  if (identity) {
    const token = bearerToken(req) ?? r.url.searchParams.get('oauth_token') ?? undefined;
    const oauthDeps = { org: deps.org, tokens: deps.tokens };
    return send(
      res,
      identityRoute(token, identity[1] ?? '', identity[2] ?? '', oauthDeps, r.origin, DEFAULT_API_VERSION),
    );
  }

  if (path === '/services/data' || path === '/services/data/') {
    if (r.method !== 'GET' && r.method !== 'HEAD')
      return send(
        res,
        errorResult(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${r.method}' not allowed. Allowed are GET,HEAD`),
      );
    return send(res, { status: 200, body: versionsList() });
  }

  if (path === '/aura' && r.method === 'POST') {
    const auraDeps = {
      org: deps.org,
      userOf: (session: string) => deps.tokens.resolve(session)?.userId,
      now: () => deps.clock.now(),
      apiVersion: DEFAULT_API_VERSION,
    };
    return send(res, auraRoute(auraSession(req), parseForm(r.raw), auraDeps));
  }

  const data = /^\/services\/data\/v(\d{2,3}\.0)(\/.*)?$/.exec(path);
  if (data && Number(data[1]) >= 20) return rest(req, res, deps, { ...r, version: data[1] ?? '', rest: data[2] ?? '' });
  if (path.startsWith('/services/apexrest/')) {
    const apexPath = path.slice('/services/apexrest'.length);
    return rest(req, res, deps, { ...r, version: DEFAULT_API_VERSION, rest: apexPath, apex: true });
  }

  return send(res, errorResult(404, 'NOT_FOUND', 'The requested resource does not exist'));
}

/** `/services/oauth2/{token,userinfo,revoke,introspect}`, with form bodies. */
function oauthRoute(req: IncomingMessage, deps: HttpDeps, r: ReadRequest): RouteResult {
  const form = parseForm(r.raw);
  const name = r.url.pathname.slice('/services/oauth2/'.length).replace(/\/$/, '');
  const oauthDeps = { org: deps.org, tokens: deps.tokens };
  const { method, origin } = r;
  if (name === 'token' && method === 'POST') return tokenRoute(form, oauthDeps, origin, [origin, deps.baseUrl()]);
  if (name === 'userinfo' && (method === 'GET' || method === 'POST'))
    return userinfoRoute(bearerToken(req), oauthDeps, origin, DEFAULT_API_VERSION);
  if (name === 'revoke' && (method === 'POST' || method === 'GET'))
    return revokeRoute(form.token ?? r.url.searchParams.get('token') ?? undefined, oauthDeps);
  if (name === 'introspect' && method === 'POST') {
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return introspectRoute(form, basic, oauthDeps, origin);
  }
  return errorResult(404, 'NOT_FOUND', 'The requested resource does not exist');
}

type ResolvedToken = NonNullable<ReturnType<TokenStore['resolve']>>;

/** REST and Apex REST: the caller's session and API allocation, a JSON body, then the route. */
async function rest(req: IncomingMessage, res: ServerResponse, deps: HttpDeps, r: RestRequest): Promise<void> {
  const limitHeader = (): Record<string, string> => ({ 'Sforce-Limit-Info': deps.usage.header() });
  const refuse = (result: RouteResult): void => send(res, result, limitHeader());
  const resolved = admitRestCaller(req, deps, r.log, refuse);
  if (!resolved) return;
  const parsed = parseRestBody(req, r.raw, refuse);
  if (!parsed) return;
  if (r.apex) {
    // Apex REST counts against the API allocation like any REST call (consumed above).
    const result = dispatchApexRest({
      method: r.method,
      path: r.rest,
      query: r.url.searchParams,
      org: deps.org,
      userId: resolved.userId,
    });
    return send(res, result, limitHeader());
  }
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
  );
  const isHead = r.method === 'HEAD';
  const result = dispatchRest(
    { method: isHead ? 'GET' : r.method, path: r.rest, query: r.url.searchParams, headers, body: parsed.body },
    restContext(deps, r, resolved),
  );
  send(
    res,
    isHead ? { status: result.status, ...(result.headers ? { headers: result.headers } : {}) } : result,
    limitHeader(),
  );
}

/** The caller's session, and one call of its API allocation; undefined (after `refuse`) when it has neither. */
function admitRestCaller(
  req: IncomingMessage,
  deps: HttpDeps,
  log: LogState,
  refuse: (result: RouteResult) => void,
): ResolvedToken | undefined {
  const token = bearerToken(req);
  if (token === null) return void refuse(errorResult(401, 'INVALID_AUTH_HEADER', 'INVALID_HEADER_TYPE'));
  const resolved = token === undefined ? undefined : deps.tokens.resolve(token);
  if (!resolved || token === undefined) return void refuse(SESSION_INVALID);
  Object.assign(log, { userId: resolved.userId, tokenId: resolved.tokenId });
  if (!deps.usage.tryConsume(resolved.userId, resolved.tokenId)) {
    return void refuse(errorResult(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
  }
  log.counted = true;
  deps.tokens.touch(token);
  return resolved;
}

/** The JSON body (XML is refused with 415); undefined (after `refuse`) when it cannot be read. */
function parseRestBody(
  req: IncomingMessage,
  raw: Buffer,
  refuse: (result: RouteResult) => void,
): { body: unknown } | undefined {
  const contentType = req.headers['content-type'] ?? '';
  if (raw.length > 0 && /xml/i.test(contentType)) {
    return void refuse(
      errorResult(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `Content type '${contentType}' is not supported; send application/json`,
      ),
    );
  }
  try {
    return { body: parseJsonBody(raw) };
  } catch (error) {
    if (error instanceof ApiError) return void refuse({ status: error.status, body: error.toBody() });
    throw error;
  }
}

function restContext(deps: HttpDeps, r: RestRequest, resolved: ResolvedToken): RestContext {
  return {
    org: deps.org,
    access: resolved.access,
    userId: resolved.userId,
    apiVersion: r.version,
    identityUrl: identityUrl(r.origin, deps.org, resolved.userId),
    locators: deps.locators,
    usage: deps.usage,
    extraLimits: deps.extraLimits,
    now: () => deps.clock.now(),
  };
}
