import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toWireMessages } from '../../../src/llm/anthropic.ts';
import type { ChatMessage } from '../../../src/llm/index.ts';
import { handWritten, type HandMessage } from '../../support/model-text.ts';

// A conversation the loop can produce: user turns, each followed by tool steps and maybe a final answer.
const step = fc.record({
  text: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: null }),
  calls: fc.integer({ min: 1, max: 3 }),
});
const turn = fc.record({
  user: fc.string({ minLength: 1, maxLength: 8 }),
  steps: fc.array(step, { maxLength: 3 }),
  answer: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: null }),
});

function build(
  turns: { user: string; steps: { text: string | null; calls: number }[]; answer: string | null }[],
): ChatMessage[] {
  const messages: HandMessage[] = [{ role: 'system', content: 'sys' }];
  let next = 0;
  for (const t of turns) {
    messages.push({ role: 'user', content: t.user });
    for (const s of t.steps) {
      const calls = Array.from({ length: s.calls }, () => ({ id: `toolu_${next++}`, name: 'q', arguments: '{"a":1}' }));
      messages.push({ role: 'assistant', content: s.text, toolCalls: calls });
      for (const call of calls) messages.push({ role: 'tool', toolCallId: call.id, name: 'q', content: 'r' });
    }
    if (t.answer !== null) messages.push({ role: 'assistant', content: t.answer });
  }
  return handWritten(messages);
}

type Block = { type: string; id?: string; tool_use_id?: string };

describe('Anthropic history mapping', () => {
  it('always alternates roles and answers every tool_use in the next message', () => {
    fc.assert(
      fc.property(fc.array(turn, { minLength: 1, maxLength: 4 }), (turns) => {
        const wire = toWireMessages(build(turns));
        expect(wire[0]!.role).toBe('user');
        wire.forEach((message, index) => {
          if (index > 0) expect(message.role).not.toBe(wire[index - 1]!.role);
          const blocks = (typeof message.content === 'string' ? [] : message.content) as Block[];
          const uses = blocks.filter((block) => block.type === 'tool_use').map((block) => block.id);
          if (uses.length === 0) return;
          const following = wire[index + 1];
          expect(following?.role).toBe('user');
          const results = ((following!.content as Block[]) ?? []).filter((block) => block.type === 'tool_result');
          // Results come first and in call order, as the API requires.
          expect(results.map((block) => block.tool_use_id)).toEqual(uses);
          expect((following!.content as Block[]).slice(0, uses.length)).toEqual(results);
        });
      }),
    );
  });
});
