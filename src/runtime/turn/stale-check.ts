import type { Logger } from '../../logger.ts';
import type { TurnServices } from './types.ts';

/**
 * Between model steps: has a newer turn started? Short turns never ask (no API call); a long one asks at most once per
 * interval. An unanswered check says "not stale": the guarded final write is the real protection.
 */
export function staleCheck(
  services: TurnServices,
  executionId: string,
  turnId: string,
  log: Logger,
): () => Promise<boolean> {
  const interval = services.staleCheckMs ?? 10_000;
  let next = Date.now() + interval;
  return async () => {
    if (Date.now() < next) return false;
    next = Date.now() + interval;
    try {
      const { records } = await services.integration.query<{ CurrentTurnIdentifier__c: string | null }>(
        `SELECT CurrentTurnIdentifier__c FROM AgentExecution__c WHERE Id = '${executionId}'`,
      );
      const current = records[0]?.CurrentTurnIdentifier__c;
      return Boolean(current && current !== turnId);
    } catch (err) {
      log.warn({ err }, 'stale-turn check failed; continuing (the final write is guarded)');
      return false;
    }
  };
}
