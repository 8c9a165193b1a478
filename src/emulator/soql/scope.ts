/** Compile-time context of one (sub)query, and the shared closure types. */
import type { ObjectDef, SObjectRecord } from '../org/model.ts';
import type { Env } from './env.ts';
import { queryError } from './query-error.ts';
import type { Resolver } from './resolve.ts';

export type Predicate = (rec: SObjectRecord, env: Env) => boolean;

export interface Scope {
  r: Resolver;
  object: ObjectDef;
  /** FROM alias (`SELECT a.Name FROM Account a`). */
  alias: string | undefined;
  /** Offset in the SOQL text where this (sub)query starts; error carets are searched from here. */
  from: number;
}

export function fail(scope: Scope, offset: number, errorCode: string, message: string): never {
  throw queryError(scope.r.soql, offset, errorCode, message);
}

export { subqueryOffsets } from './subquery-offsets.ts';

let joinCounter = 0;
/** A process-wide unique key for memoizing one semi-join's ID set within an execution. */
export function nextJoinKey(): number {
  joinCounter += 1;
  return joinCounter;
}
