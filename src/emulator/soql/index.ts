/**
 * The emulator's SOQL engine: `executeQuery(soql, ctx)` runs one query as `ctx.access.user` over the in-memory org.
 * Parsed trees are cached by text; compiled plans by user + text, and a cached plan is reused only after replaying
 * the permission decisions it was built on (so FLS/CRUD changes take effect immediately).
 */
import type { Query } from '@jetstreamapp/soql-parser-js';
import { ApiError } from '../org/model.ts';
import type { QueryContext, QueryResult, Schema } from '../org/model.ts';
import { AccessRecorder, stillHolds } from './access-recorder.ts';
import type { AccessCheck } from './access-recorder.ts';
import { Env } from './env.ts';
import { Lru } from './lru.ts';
import { parseSoql } from './parse.ts';
import { compileQuery } from './plan.ts';
import type { Plan } from './types.ts';
import { Resolver } from './resolve.ts';

const CACHE_SIZE = 4000;

interface CachedPlan {
  schema: Schema;
  checks: AccessCheck[];
  plan: Plan;
}

const parsed = new Lru<string, Query | ApiError>(CACHE_SIZE);
const plans = new Lru<string, CachedPlan>(CACHE_SIZE);

function parseCached(soql: string): Query {
  let hit = parsed.get(soql);
  if (hit === undefined) {
    try {
      hit = parseSoql(soql);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      hit = err;
    }
    parsed.set(soql, hit);
  }
  if (hit instanceof ApiError) throw hit;
  return hit;
}

/** Compiles (or reuses) the plan for this user and query text. */
export function preparePlan(soql: string, ctx: QueryContext): Plan {
  const key = `${ctx.access.user.id}\u0000${soql}`;
  const cached = plans.get(key);
  if (cached && cached.schema === ctx.schema && stillHolds(cached.checks, ctx.access)) return cached.plan;
  const query = parseCached(soql);
  const recorder = new AccessRecorder(ctx.access);
  const plan = compileQuery(new Resolver(soql, ctx.schema, recorder), query);
  plans.set(key, { schema: ctx.schema, checks: recorder.checks(), plan });
  return plan;
}

/**
 * Runs one SOQL query as `ctx.access.user`. Returns every matching row already shaped as REST returns it (the HTTP
 * layer pages them). Throws ApiError (400 MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, ...) in Salesforce's format.
 */
export function executeQuery(soql: string, ctx: QueryContext): QueryResult {
  return preparePlan(soql, ctx).run(new Env(ctx));
}

/** Drops cached parses and plans (tests, metadata redeploys). */
export function clearQueryCache(): void {
  parsed.clear();
  plans.clear();
}
