import { ApiError } from '../org/model.ts';
import type { QueryContext, QueryResult } from '../org/model.ts';

/** Runs one SOQL query as `ctx.access.user` (stub: real engine lands shortly). */
export function executeQuery(soql: string, ctx: QueryContext): QueryResult {
  void ctx;
  throw new ApiError(400, 'MALFORMED_QUERY', `SOQL engine not ready: ${soql}`);
}
