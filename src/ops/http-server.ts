import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyBearer, verifySignature } from './auth.ts';
import type { LoomMetrics } from './metrics.ts';
import { runReadiness, type ReadinessCheck } from './readiness.ts';
import { TurnRequestBody, TurnRequestError, type TurnService } from './turn-service.ts';

/** Apex allows 120 s of callouts per transaction; the sync answer must come back well before that. */
export const MAX_SYNC_WAIT_MS = 110_000;

export interface OpsServerOptions {
  logger: Logger;
  metrics?: LoomMetrics;
  readiness: readonly ReadinessCheck[];
  /** Absent: the turn endpoints answer 503 (a process without Salesforce access, e.g. during `loom doctor`). */
  turns?: TurnService;
  /** `LOOM_HTTP_TOKEN`: the bearer token callers must present. Unset = every turn request is refused. */
  token: string | undefined;
  /** `LOOM_HTTP_SIGNING_KEY`: turn requests must carry an HMAC signature of the body (binds the requesting user). */
  signingKey?: string;
  /** `LOOM_HTTP_ALLOW_UNSIGNED`: accept unsigned turn requests when no signing key is set (local development only). */
  allowUnsigned?: boolean;
  /** How long `/v1/turns/sync` waits for the answer (bounded by MAX_SYNC_WAIT_MS). */
  syncWaitMs: number;
  /** Callers allowed to wait at once; more get 429 so Apex reports "busy". */
  maxWaiting?: number;
}

const WaitQuery = z.object({ wait: z.coerce.number().int().min(0).max(MAX_SYNC_WAIT_MS).optional() }).strict();

const rawBodies = new WeakMap<FastifyRequest, string>();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The worker's HTTP surface: Apex turn callouts, health, readiness and Prometheus metrics. */
export function createOpsServer(options: OpsServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
  });
  parseJsonBodies(app);
  answerErrors(app, options.logger);
  addProbes(app, options);
  addTurnRoutes(app, options);
  return app;
}

/** JSON bodies must be UTF-8; the text is kept for the signature check. */
function parseJsonBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      // Fatal decoding: bytes that are not UTF-8 are refused, not turned into replacement characters in the message.
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(new TurnRequestError(400, 'The request body is not valid UTF-8.'), undefined);
      return;
    }
    rawBodies.set(request, text);
    try {
      done(null, text.length === 0 ? undefined : JSON.parse(text));
    } catch {
      done(new TurnRequestError(400, 'The request body is not valid JSON.'), undefined);
    }
  });
}

/** Errors as `{error}` bodies; an unexpected one is logged and answered without its details. */
function answerErrors(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error instanceof TurnRequestError ? error.httpStatus : (error.statusCode ?? 500);
    if (status >= 500) logger.error({ err: error }, 'http request failed');
    void reply
      .code(status)
      .send({ error: status >= 500 && !(error instanceof TurnRequestError) ? 'Internal error.' : error.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: `No route ${request.method} ${request.url.split('?')[0]}.` });
  });
}

/** `/healthz`, `/readyz` and `/metrics`. */
function addProbes(app: FastifyInstance, options: OpsServerOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const report = await runReadiness(options.readiness);
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  app.get('/metrics', async (_request, reply) => {
    if (!options.metrics) return reply.code(404).send({ error: 'Metrics are disabled (LOOM_METRICS=false).' });
    return reply.type(options.metrics.contentType).send(await options.metrics.render());
  });
}

/** Synchronous callers waiting now, and how many may. */
interface WaitSlots {
  waiting: number;
  max: number;
}

/** `POST /v1/turns[?wait=ms]` and `POST /v1/turns/sync` (waits up to the sync wait). */
function addTurnRoutes(app: FastifyInstance, options: OpsServerOptions): void {
  const syncWaitMs = Math.min(options.syncWaitMs, MAX_SYNC_WAIT_MS);
  const slots: WaitSlots = { waiting: 0, max: options.maxWaiting ?? 64 };
  app.post('/v1/turns', async (request, reply) => {
    const query = WaitQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: `Invalid query: ${z.prettifyError(query.error)}` });
    return handleTurn(options, slots, { route: '/v1/turns', request, reply, waitMs: query.data.wait ?? 0 });
  });
  app.post('/v1/turns/sync', async (request, reply) =>
    handleTurn(options, slots, { route: '/v1/turns/sync', request, reply, waitMs: syncWaitMs }),
  );
}

/** Authenticates, validates and starts the turn as the requesting user; `waitMs` 0 answers at once. */
async function handleTurn(
  options: OpsServerOptions,
  slots: WaitSlots,
  call: { route: string; request: FastifyRequest; reply: FastifyReply; waitMs: number },
): Promise<FastifyReply> {
  const { request, waitMs } = call;
  const send = (status: number, body: unknown): FastifyReply => {
    options.metrics?.observeHttpTurn(call.route, status);
    return call.reply.code(status).send(body);
  };
  const admitted = admitTurn(options, request);
  if (!admitted.ok) return send(admitted.status, { error: admitted.error });
  const { turns, body } = admitted;
  if (waitMs > 0 && slots.waiting >= slots.max)
    return send(429, { error: 'Too many synchronous turns are waiting; try again later.' });
  try {
    const started = await turns.start(body);
    if (waitMs === 0) return send(202, { ...started, status: 'Pending', responseText: null });
    slots.waiting++;
    const closed = new AbortController();
    const onClose = (): void => closed.abort();
    request.raw.once('close', onClose);
    try {
      const answer = await turns.waitFor(started, waitMs, closed.signal);
      return send(200, answer);
    } finally {
      slots.waiting--;
      request.raw.off('close', onClose);
    }
  } catch (error) {
    if (error instanceof TurnRequestError) return send(error.httpStatus, { error: error.message });
    throw error;
  }
}

type Admitted =
  | { ok: true; turns: TurnService; body: z.infer<typeof TurnRequestBody> }
  | { ok: false; status: number; error: string | undefined };

/** The bearer token, the body's signature (unless unsigned requests are allowed), a turn service, a valid body. */
function admitTurn(options: OpsServerOptions, request: FastifyRequest): Admitted {
  const bearer = verifyBearer(request.headers.authorization, options.token);
  if (!bearer.ok) return { ok: false, status: 401, error: bearer.reason };
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const signed = verifySignature(
    { signature: header(SIGNATURE_HEADER), timestamp: header(TIMESTAMP_HEADER) },
    rawBodies.get(request) ?? '',
    options.signingKey,
    Date.now(),
    options.allowUnsigned ?? false,
  );
  if (!signed.ok) return { ok: false, status: 401, error: signed.reason };
  if (!options.turns) return { ok: false, status: 503, error: 'This worker does not accept turns.' };
  const parsed = TurnRequestBody.safeParse(request.body);
  if (!parsed.success)
    return { ok: false, status: 400, error: `Invalid turn request: ${z.prettifyError(parsed.error)}` };
  return { ok: true, turns: options.turns, body: parsed.data };
}

/** Starts listening; resolves with the bound URL (port 0 = a free port). */
export async function listenOps(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the HTTP server has no TCP address');
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${urlHost}:${address.port}`;
}
