import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baselineInputs, baselineRegexCheck, checkSoql } from '../../../src/governance/soql-guard/index.ts';
import { loadIndex } from '../../fixtures/describe/load.ts';
import type { CorpusEntry } from '../../fixtures/soql-corpus/build-corpus.ts';

const corpus = readFileSync(new URL('../../fixtures/soql-corpus/corpus.jsonl', import.meta.url), 'utf8')
  .trimEnd()
  .split('\n')
  .map((line) => JSON.parse(line) as CorpusEntry);
const indexes = { officer: loadIndex('officer'), underwriter: loadIndex('underwriter') };

describe('SOQL corpus', () => {
  it('has several hundred labelled queries covering every bypass', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(350);
    const bypasses = new Set(corpus.map((entry) => entry.bypass).filter(Boolean));
    expect([...bypasses].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(corpus.filter((entry) => entry.expected === 'allow').length).toBeGreaterThan(150);
  });

  it('the guard agrees with every label: no false blocks, no leaks', () => {
    const wrong = corpus.filter((entry) => {
      const verdict = checkSoql(entry.query, indexes[entry.persona]);
      return verdict.allowed !== (entry.expected === 'allow');
    });
    expect(wrong.map((entry) => `${entry.id}: ${entry.query}`)).toEqual([]);
  });

  it('names the offending field in each hidden- or unknown-field refusal, and caps every allowed query', () => {
    for (const entry of corpus) {
      const verdict = checkSoql(entry.query, indexes[entry.persona]);
      if ((entry.reason === 'hidden-field' || entry.reason === 'unknown-field') && entry.target) {
        const field = entry.target.split('.').pop() ?? '';
        expect(verdict.violations.join('\n').toLowerCase(), entry.id).toContain(field.toLowerCase());
      }
      if (entry.expectedLimit !== undefined)
        expect(verdict.query, entry.id).toMatch(new RegExp(`LIMIT ${entry.expectedLimit}( OFFSET \\d+)?$`));
    }
  });

  it('the baseline regex check leaks through bypasses (a) to (f)', () => {
    const { allowed, full } = baselineInputs(indexes.officer, indexes.underwriter);
    const leaks = corpus.filter(
      (entry) =>
        entry.persona === 'officer' &&
        entry.expected === 'block' &&
        baselineRegexCheck(entry.query, allowed, full).allowed,
    );
    const leakedBypasses = new Set(leaks.map((entry) => entry.bypass));
    for (const letter of ['a', 'b', 'c', 'd', 'e', 'f']) expect(leakedBypasses, letter).toContain(letter);
  });
});
