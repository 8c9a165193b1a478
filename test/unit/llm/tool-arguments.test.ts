import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TOOL_ARGUMENT_BYTES, estimateCostUsd, parseToolArguments } from '../../../src/llm/index.ts';

const call = (args: string) => ({ id: 'c1', name: 'soql_query', arguments: args });

describe('parseToolArguments', () => {
  it('accepts a JSON object and treats empty text as no arguments', () => {
    expect(parseToolArguments(call('{"soql":"SELECT Id FROM Case"}'))).toEqual({
      ok: true,
      value: { soql: 'SELECT Id FROM Case' },
    });
    expect(parseToolArguments(call('  '))).toEqual({ ok: true, value: {} });
  });

  it('explains invalid JSON, non-objects and oversized text', () => {
    const broken = parseToolArguments(call('{"soql": '));
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^Arguments for tool "soql_query" are not valid JSON/);
    expect(parseToolArguments(call('[1,2]'))).toEqual({
      ok: false,
      error: 'Arguments for tool "soql_query" must be a JSON object, got an array.',
    });
    expect(parseToolArguments(call('null'))).toEqual({
      ok: false,
      error: 'Arguments for tool "soql_query" must be a JSON object, got null.',
    });
    expect(parseToolArguments(call('"text"'))).toEqual({
      ok: false,
      error: 'Arguments for tool "soql_query" must be a JSON object, got a string.',
    });
    const huge = JSON.stringify({ blob: 'x'.repeat(MAX_TOOL_ARGUMENT_BYTES) });
    const oversized = parseToolArguments(call(huge));
    expect(oversized.ok).toBe(false);
    expect(!oversized.ok && oversized.error).toContain('the limit is 262144');
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const text = JSON.stringify({ s: 'é'.repeat(MAX_TOOL_ARGUMENT_BYTES / 2) });
    expect(text.length).toBeLessThan(MAX_TOOL_ARGUMENT_BYTES);
    expect(parseToolArguments(call(text)).ok).toBe(false);
  });

  it('never throws and round-trips every JSON object', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseToolArguments(call(text)).ok === 'boolean'));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const parsed = parseToolArguments(call(JSON.stringify(value)));
        return parsed.ok && JSON.stringify(parsed.value) === JSON.stringify(value);
      }),
    );
  });
});

describe('estimateCostUsd', () => {
  it('prices prompt and completion tokens per million', () => {
    expect(
      estimateCostUsd(
        { promptTokens: 1_000_000, completionTokens: 500_000, totalTokens: 1_500_000 },
        { promptPer1M: 2.5, completionPer1M: 10 },
      ),
    ).toBe(7.5);
    expect(
      estimateCostUsd(
        { promptTokens: 1234, completionTokens: 56, totalTokens: 1290 },
        { promptPer1M: 0.15, completionPer1M: 0.6 },
      ),
    ).toBe(0.0002187);
    expect(
      estimateCostUsd(
        { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
        { promptPer1M: 3, completionPer1M: 15 },
      ),
    ).toBe(0);
  });
});
