import { actionsRoute } from '../../actions/route.ts';
import { ApiError } from '../../org/model.ts';
import { json, methodNotAllowed, type RouteResult } from '../respond.ts';
import { collectionsRoute } from './collections.ts';
import { compositeRoute } from './composite.ts';
import { batchRoute, treeRoute } from './composite-batch-tree.ts';
import { dataPath, guard, type RestContext, type RestRequest } from './context.ts';
import { nextPage, runQuery } from './query.ts';
import { searchRoute } from './search.ts';
import { sobjectsRoute } from './sobjects.ts';

/**
 * Limits the emulator reports besides the API allocation, when no streaming module supplies live values. Values are a
 * Developer Edition's (REST API Developer Guide, "Limits"; Salesforce Help, "Data and File Storage Allocations" and
 * "Email Limits": 5 MB data, 20 MB file storage, 15 single emails a day; Streaming API allocations: 10,000 events a day).
 */
const STATIC_LIMITS: Record<string, { Max: number; Remaining: number }> = {
  DailyAsyncApexExecutions: { Max: 250000, Remaining: 250000 },
  DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
  DailyDeliveredPlatformEvents: { Max: 10000, Remaining: 10000 },
  DailyStreamingApiEvents: { Max: 10000, Remaining: 10000 },
  DataStorageMB: { Max: 5, Remaining: 5 },
  FileStorageMB: { Max: 20, Remaining: 20 },
  SingleEmail: { Max: 15, Remaining: 15 },
  DurableStreamingApiConcurrentClients: { Max: 20, Remaining: 20 },
  HourlyPublishedPlatformEvents: { Max: 50000, Remaining: 50000 },
};

function versionRoot(ctx: RestContext): Record<string, string> {
  const base = (name: string): string => dataPath(ctx.apiVersion, `/${name}`);
  return {
    sobjects: base('sobjects'),
    query: base('query'),
    queryAll: base('queryAll'),
    composite: base('composite'),
    actions: base('actions'),
    limits: base('limits'),
    tooling: base('tooling'),
    search: base('search'),
    recent: base('recent'),
    identity: ctx.identityUrl,
  };
}

function limits(ctx: RestContext): Record<string, { Max: number; Remaining: number }> {
  return {
    ...STATIC_LIMITS,
    ...ctx.extraLimits(),
    DailyApiRequests: { Max: ctx.usage.max, Remaining: ctx.usage.remaining },
  };
}

function route(req: RestRequest, ctx: RestContext): RouteResult {
  const parts = req.path
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  const [head, ...rest] = parts;
  const onlyGet = (fn: () => RouteResult): RouteResult =>
    req.method === 'GET' ? fn() : methodNotAllowed(req.method, ['GET', 'HEAD']);
  switch (head) {
    case undefined:
      return onlyGet(() => json(200, versionRoot(ctx)));
    case 'sobjects':
      return sobjectsRoute(req, ctx, rest);
    case 'query':
    case 'queryAll':
      if (rest.length === 0) return onlyGet(() => runQuery(req, ctx, head === 'queryAll'));
      if (rest.length === 1) return onlyGet(() => nextPage(rest[0] ?? '', ctx));
      break;
    case 'search':
      if (rest.length === 0) return onlyGet(() => searchRoute(req, ctx));
      break;
    case 'limits':
      if (rest.length === 0) return onlyGet(() => json(200, limits(ctx)));
      break;
    case 'actions':
      return actionsRoute(req, ctx, rest);
    case 'composite':
      if (rest.length === 0) return compositeRoute(req, ctx, dispatchRest);
      if (rest[0] === 'sobjects') return collectionsRoute(req, ctx, rest.slice(1));
      if (rest[0] === 'batch' && rest.length === 1) return batchRoute(req, ctx, dispatchRest);
      if (rest[0] === 'tree' && rest.length === 2) return treeRoute(req, ctx, rest[1] ?? '');
      break;
    default:
      break;
  }
  throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** One REST call against the org as `ctx.access.user`; never throws ApiError (it becomes the error array). */
export function dispatchRest(req: RestRequest, ctx: RestContext): RouteResult {
  return guard(() => route(req, ctx), ctx);
}
