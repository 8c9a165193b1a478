import { describe, expect, it } from 'vitest';
import type { ToolDefinition } from '../../../src/runtime/ports.ts';
import { validateArguments } from '../../../src/runtime/tools/toolbox.ts';

/** Issue 16, class 6: compiled tool-schema validators were cached by capability ID + schema length. */
describe('tool schema validators', () => {
  const tool = (type: string): ToolDefinition =>
    ({
      name: 'set_limit',
      capabilityId: 'a03000000000042AAA',
      parameters: { type: 'object', properties: { limit: { type } }, required: ['limit'] },
    }) as unknown as ToolDefinition;

  it('uses an edited schema at once, even when the edit keeps its length', () => {
    expect(validateArguments(tool('string'), { limit: 'all' })).toEqual([]);
    // "string" → "number": same length, same capability; the old validator must not be reused.
    expect(JSON.stringify(tool('number').parameters).length).toBe(JSON.stringify(tool('string').parameters).length);
    expect(validateArguments(tool('number'), { limit: 'all' })).toEqual(['/limit must be number']);
    expect(validateArguments(tool('string'), { limit: 'all' })).toEqual([]);
  });
});
