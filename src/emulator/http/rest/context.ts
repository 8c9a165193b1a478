import { ApiError } from '../../org/model.ts';
import type { OrgApi, UserAccess } from '../../org/model.ts';
import { errorResult, type RouteResult } from '../respond.ts';
import type { LocatorStore } from './locators.ts';
import type { ApiUsage } from '../usage.ts';

/** Everything a REST route needs for one authenticated request. */
export interface RestContext {
  org: OrgApi;
  access: UserAccess;
  userId: string;
  /** e.g. '62.0'. */
  apiVersion: string;
  /** Absolute identity URL of the token's user (version root `identity`). */
  identityUrl: string;
  locators: LocatorStore;
  usage: ApiUsage;
  /** Extra `/limits` entries (streaming / platform events), when the streaming module provides them. */
  extraLimits: () => Record<string, { Max: number; Remaining: number }>;
  now: () => number;
}

/** A REST call independent of HTTP, so `/composite` can replay subrequests through the same routes. */
export interface RestRequest {
  method: string;
  /** Path after `/services/data/vXX.X`, e.g. `/sobjects/Account/001…`; '' for the version root. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/**
 * Runs a route body, turning ApiError into Salesforce's error array. An upsert that matched several records
 * (300 MULTIPLE_CHOICES) answers with the matching records' URLs instead.
 */
export function guard(fn: () => RouteResult, ctx?: RestContext): RouteResult {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const recordIds = (error as ApiError & { recordIds?: unknown }).recordIds;
    if (ctx && error.status === 300 && Array.isArray(recordIds)) {
      const urls = recordIds.map((id) => {
        const type = ctx.org.schema.objectForId(String(id))?.name ?? 'sObject';
        return dataPath(ctx.apiVersion, `/sobjects/${type}/${String(id)}`);
      });
      return { status: 300, body: urls };
    }
    return { status: error.status, body: error.toBody() };
  }
}

/** Throws when the body is not a JSON object. */
export function requireObject(body: unknown, what = 'SObject'): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const token = Array.isArray(body) ? 'START_ARRAY' : body === undefined ? 'EOF' : 'VALUE';
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of ${what} from ${token} token`);
  }
  return body as Record<string, unknown>;
}

/** Drops `attributes` (type hints clients may send) from a record body. */
export function fieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  const { attributes: _attributes, ...fields } = record;
  return fields;
}

export const dataPath = (apiVersion: string, rest: string): string => `/services/data/v${apiVersion}${rest}`;

export { errorResult };
