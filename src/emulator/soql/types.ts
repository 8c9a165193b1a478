/** What a compiled query is: closures over the schema decisions, run against one execution's Env. */
import type { QueryResult } from '../org/model.ts';
import type { Env } from './env.ts';

export interface Plan {
  run(env: Env): QueryResult;
}
