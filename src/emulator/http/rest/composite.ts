import { z } from 'zod';
import { ApiError } from '../../org/model.ts';
import { errorResult, json, methodNotAllowed, type RouteResult } from '../respond.ts';
import type { RestContext, RestRequest } from './context.ts';

export const MAX_SUBREQUESTS = 25;
export const MAX_QUERY_OR_COLLECTION_SUBREQUESTS = 5;
const HALTED = 'The transaction was rolled back since another operation in the same transaction failed.';
const FORBIDDEN_HEADERS = new Set(['accept', 'authorization', 'content-type']);

const Subrequest = z.object({
  method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD']),
  url: z.string().min(1),
  referenceId: z.string(),
  body: z.unknown().optional(),
  httpHeaders: z.record(z.string(), z.string()).optional(),
});
const Body = z.object({
  allOrNone: z.boolean().optional(),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z.array(Subrequest).min(1),
});
type Sub = z.infer<typeof Subrequest>;

export type Dispatch = (req: RestRequest, ctx: RestContext) => RouteResult;

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

class RollBack extends Error {}
class Unresolved extends Error {}

const halted = (referenceId: string, message = HALTED): SubResponse => ({
  body: [{ errorCode: 'PROCESSING_HALTED', message }],
  httpHeaders: {},
  httpStatusCode: 400,
  referenceId,
});

function validate(raw: unknown): z.infer<typeof Body> {
  const parsed = Body.safeParse(raw);
  if (!parsed.success)
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Invalid composite request: ${z.prettifyError(parsed.error)}`);
  const subs = parsed.data.compositeRequest;
  if (subs.length > MAX_SUBREQUESTS) {
    throw new ApiError(
      400,
      'INVALID_BATCH_REQUEST',
      `Composite request can contain at most ${MAX_SUBREQUESTS} subrequests; got ${subs.length}`,
    );
  }
  const heavy = subs.filter((s) => /\/(query|queryAll|composite\/sobjects)(\/|\?|$)/.test(s.url)).length;
  if (heavy > MAX_QUERY_OR_COLLECTION_SUBREQUESTS) {
    throw new ApiError(
      400,
      'INVALID_BATCH_REQUEST',
      `Composite request can contain at most ${MAX_QUERY_OR_COLLECTION_SUBREQUESTS} query or sObject Collections subrequests; got ${heavy}`,
    );
  }
  const seen = new Set<string>();
  for (const sub of subs) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_]*$/.test(sub.referenceId)) {
      throw new ApiError(
        400,
        'INVALID_INPUT',
        `Invalid referenceId: ${sub.referenceId}. The referenceId can contain only alphanumeric characters and underscores, and must begin with an alphanumeric character.`,
      );
    }
    if (seen.has(sub.referenceId))
      throw new ApiError(400, 'INVALID_INPUT', `Duplicate referenceId provided in the request: ${sub.referenceId}`);
    seen.add(sub.referenceId);
    for (const name of Object.keys(sub.httpHeaders ?? {})) {
      if (FORBIDDEN_HEADERS.has(name.toLowerCase()))
        throw new ApiError(400, 'INVALID_INPUT', `Header ${name} is not allowed in a subrequest`);
    }
  }
  return parsed.data;
}

/** Follows `records[0].Id`-style paths, case-sensitively. */
function lookup(body: unknown, path: string): unknown {
  let current: unknown = body;
  for (const step of path.split(/\.|(?=\[)/)) {
    if (step === '') continue;
    const index = /^\[(\d+)\]$/.exec(step);
    if (index) current = Array.isArray(current) ? current[Number(index[1])] : undefined;
    else
      current =
        current !== null && typeof current === 'object' && !Array.isArray(current)
          ? (current as Record<string, unknown>)[step]
          : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

function resolver(done: Map<string, SubResponse>): (expr: string) => unknown {
  return (expr) => {
    const dot = expr.search(/[.[]/);
    const ref = dot < 0 ? expr : expr.slice(0, dot);
    const prior = done.get(ref);
    const value = prior && prior.httpStatusCode < 400 ? lookup(prior.body, dot < 0 ? '' : expr.slice(dot)) : undefined;
    if (value === undefined || value === null)
      throw new Unresolved(`Invalid reference specified. No value for ${expr} found in ${ref}`);
    return value;
  };
}

const REF = /@\{([^}]+)\}/g;

/** Substitutes references: a string that is exactly one reference takes the raw value. */
function substitute(value: unknown, resolve: (expr: string) => unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([^}]+)\}$/.exec(value);
    if (whole) return resolve(whole[1] ?? '');
    return value.replace(REF, (_m, expr: string) => String(resolve(expr)));
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, resolve));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, resolve)]));
  }
  return value;
}

function runOne(sub: Sub, ctx: RestContext, dispatch: Dispatch, done: Map<string, SubResponse>): SubResponse {
  const resolve = resolver(done);
  let url: string;
  let body: unknown;
  try {
    url = sub.url.replace(REF, (_m, expr: string) => String(resolve(expr)));
    body = substitute(sub.body, resolve);
  } catch (error) {
    if (error instanceof Unresolved) return halted(sub.referenceId, error.message);
    throw error;
  }
  const match = /^\/services\/data\/v(\d{2,3}\.0)(\/[^?]*)?(?:\?(.*))?$/.exec(url);
  let result: RouteResult;
  if (!match) result = errorResult(404, 'NOT_FOUND', 'The requested resource does not exist');
  else if ((match[2] ?? '').replace(/\/$/, '') === '/composite')
    result = errorResult(400, 'INVALID_BATCH_REQUEST', 'Composite requests cannot be nested');
  else {
    const headers = Object.fromEntries(Object.entries(sub.httpHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const request: RestRequest = {
      method: sub.method,
      path: match[2] ?? '',
      query: new URLSearchParams(match[3] ?? ''),
      headers,
      body,
    };
    result = dispatch(request, { ...ctx, apiVersion: match[1] ?? ctx.apiVersion });
  }
  return {
    body: result.body ?? null,
    httpHeaders: result.headers ?? {},
    httpStatusCode: result.status,
    referenceId: sub.referenceId,
  };
}

/** POST /composite: up to 25 subrequests with references, one API call, optional all-or-none. */
export function compositeRoute(req: RestRequest, ctx: RestContext, dispatch: Dispatch): RouteResult {
  if (req.method !== 'POST') return methodNotAllowed(req.method, ['POST']);
  const { allOrNone = false, compositeRequest } = validate(req.body);
  const done = new Map<string, SubResponse>();
  const responses: SubResponse[] = [];
  const runAll = (): void => {
    for (const sub of compositeRequest) {
      const response = runOne(sub, ctx, dispatch, done);
      done.set(sub.referenceId, response);
      responses.push(response);
      if (allOrNone && response.httpStatusCode >= 400) throw new RollBack();
    }
  };
  if (!allOrNone) {
    runAll();
    return json(200, { compositeResponse: responses });
  }
  try {
    ctx.org.transaction(runAll);
    return json(200, { compositeResponse: responses });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  const failed = responses[responses.length - 1];
  return json(200, {
    compositeResponse: compositeRequest.map((sub) =>
      sub.referenceId === failed?.referenceId ? failed : halted(sub.referenceId),
    ),
  });
}
