import { ApiError } from '../../org/model.ts';
import { json, type RouteResult } from '../respond.ts';
import { dataPath, type RestContext, type RestRequest } from './context.ts';
import type { Page } from './locators.ts';

export const DEFAULT_BATCH_SIZE = 2000;
export const MIN_BATCH_SIZE = 200;

/** `Sforce-Query-Options: batchSize=N` is a hint: clamped to 200–2000, ignored when unparsable. */
export function batchSizeOf(header: string | undefined): number {
  const match = header ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!match) return DEFAULT_BATCH_SIZE;
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Number(match[1])));
}

function render(ctx: RestContext, page: Page): RouteResult {
  const body: Record<string, unknown> = { totalSize: page.totalSize, done: page.done };
  if (page.locator) body.nextRecordsUrl = dataPath(ctx.apiVersion, `/query/${page.locator}`);
  body.records = page.records;
  return json(200, body);
}

/** GET /query?q= and /queryAll?q= (first page). */
export function runQuery(req: RestRequest, ctx: RestContext, includeDeleted: boolean): RouteResult {
  const soql = req.query.get('q');
  if (soql === null || soql.trim() === '') {
    throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  }
  const result = ctx.org.query(
    ctx.access,
    soql,
    includeDeleted ? { apiVersion: ctx.apiVersion, includeDeleted } : { apiVersion: ctx.apiVersion },
  );
  const batchSize = batchSizeOf(req.headers['sforce-query-options']);
  const page = ctx.locators.open(ctx.userId, result.records, batchSize);
  // Aggregate queries report the row count the engine computed (e.g. COUNT() → totalSize with no rows).
  return render(ctx, { ...page, totalSize: Math.max(page.totalSize, result.totalSize) });
}

/** GET /query/{locator}: the next page, whatever version prefix the client rebuilt. */
export function nextPage(locator: string, ctx: RestContext): RouteResult {
  return render(ctx, ctx.locators.next(ctx.userId, locator));
}
