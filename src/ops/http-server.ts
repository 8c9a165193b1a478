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
  const syncWaitMs = Math.min(options.syncWaitMs, MAX_SYNC_WAIT_MS);
  const maxWaiting = options.maxWaiting ?? 64;
  let waiting = 0;

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

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error instanceof TurnRequestError ? error.httpStatus : (error.statusCode ?? 500);
    if (status >= 500) options.logger.error({ err: error }, 'http request failed');
    void reply
      .code(status)
      .send({ error: status >= 500 && !(error instanceof TurnRequestError) ? 'Internal error.' : error.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: `No route ${request.method} ${request.url.split('?')[0]}.` });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const report = await runReadiness(options.readiness);
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  app.get('/metrics', async (_request, reply) => {
    if (!options.metrics) return reply.code(404).send({ error: 'Metrics are disabled (LOOM_METRICS=false).' });
    return reply.type(options.metrics.contentType).send(await options.metrics.render());
  });

  /** Authenticates, validates and starts the turn as the requesting user; `waitMs` 0 answers at once. */
  async function handleTurn(
    route: string,
    request: FastifyRequest,
    reply: FastifyReply,
    waitMs: number,
  ): Promise<FastifyReply> {
    const send = (status: number, body: unknown): FastifyReply => {
      options.metrics?.observeHttpTurn(route, status);
      return reply.code(status).send(body);
    };
    const bearer = verifyBearer(request.headers.authorization, options.token);
    if (!bearer.ok) return send(401, { error: bearer.reason });
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
    if (!signed.ok) return send(401, { error: signed.reason });
    if (!options.turns) return send(503, { error: 'This worker does not accept turns.' });
    const parsed = TurnRequestBody.safeParse(request.body);
    if (!parsed.success) return send(400, { error: `Invalid turn request: ${z.prettifyError(parsed.error)}` });
    if (waitMs > 0 && waiting >= maxWaiting)
      return send(429, { error: 'Too many synchronous turns are waiting; try again later.' });
    try {
      const started = await options.turns.start(parsed.data);
      if (waitMs === 0) return send(202, { ...started, status: 'Pending', responseText: null });
      waiting++;
      const closed = new AbortController();
      const onClose = (): void => closed.abort();
      request.raw.once('close', onClose);
      try {
        const answer = await options.turns.waitFor(started, waitMs, closed.signal);
        return send(200, answer);
      } finally {
        waiting--;
        request.raw.off('close', onClose);
      }
    } catch (error) {
      if (error instanceof TurnRequestError) return send(error.httpStatus, { error: error.message });
      throw error;
    }
  }

  app.post('/v1/turns', async (request, reply) => {
    const query = WaitQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: `Invalid query: ${z.prettifyError(query.error)}` });
    return handleTurn('/v1/turns', request, reply, query.data.wait ?? 0);
  });
  app.post('/v1/turns/sync', async (request, reply) => handleTurn('/v1/turns/sync', request, reply, syncWaitMs));

  return app;
}

/** Starts listening; resolves with the bound URL (port 0 = a free port). */
export async function listenOps(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the HTTP server has no TCP address');
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${urlHost}:${address.port}`;
}
