import { createHash } from 'node:crypto';

/**
 * Deterministic id for a tool call that arrived without one: the same conversation (position `turn`, call `index`,
 * name, arguments) yields the same id on replay, so audit rows keyed on it stay idempotent.
 */
export function stableToolCallId(turn: number, index: number, name: string, args: string): string {
  const digest = createHash('sha256').update(`${turn}\u0000${index}\u0000${name}\u0000${args}`).digest('hex');
  return `call_${digest.slice(0, 24)}`;
}
