import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadInjectionTraining, trainingSplit, type InjectionTrainingLine } from '../../../src/bench/corpora.ts';
import {
  applySafetyMode,
  learnedModelLoaded,
  screenText,
  screenTextRulesOnly,
  screenTextWithModel,
} from '../../../src/governance/injection/index.ts';
import {
  LEARNED_FORMAT,
  featurize,
  learnedScore,
  parseLearnedModel,
  prepareText,
  windows,
  WINDOW,
} from '../../../src/governance/injection/learned.ts';
import { LEARNED_WEIGHTS } from '../../../src/governance/injection/learned-weights.ts';
import { renderWeightsModule, train } from '../../../scripts/train-injection-model.ts';

const lines = loadInjectionTraining();
const line = (id: string): InjectionTrainingLine => {
  const found = lines.find((l) => l.id === id);
  if (!found) throw new Error(`no training line ${id}`);
  return found;
};
const model = parseLearnedModel(LEARNED_WEIGHTS);

describe('learned injection model: the shipped weights', () => {
  it('load, check out and stay small', () => {
    expect(learnedModelLoaded()).toBe(true);
    expect(model).not.toBeNull();
    expect(LEARNED_WEIGHTS.format).toBe(LEARNED_FORMAT);
    expect(model?.weights.length).toBe(1 << LEARNED_WEIGHTS.bits);
    const moduleSize = readFileSync(
      new URL('../../../src/governance/injection/learned-weights.ts', import.meta.url),
    ).length;
    expect(moduleSize).toBeLessThan(1_000_000);
  });

  // Training takes about 15 s on an idle core; the limit leaves room for a busy machine.
  it('are what a fresh training run produces (npm run train:injection)', { timeout: 180_000 }, async () => {
    const fresh = train();
    const committed = readFileSync(
      new URL('../../../src/governance/injection/learned-weights.ts', import.meta.url),
      'utf8',
    );
    expect(await renderWeightsModule(fresh.serialized)).toBe(committed);
  });
});

describe('learned injection model: verdicts', () => {
  it('flags held-out attacks the rules miss, naming the learned category and a span', () => {
    for (const id of ['hp-002', 'hr-023', 'hc-005']) {
      const attack = line(id);
      expect(trainingSplit(id)).toBe('test'); // never trained or tuned on
      expect(attack.label).toBe('attack');
      expect(screenTextRulesOnly(attack.text, { source: attack.source }).flagged).toBe(false);
      const verdict = screenText(attack.text, { source: attack.source });
      expect(verdict.flagged).toBe(true);
      expect(verdict.categories).toContain('learned');
      expect(verdict.spans.some((span) => span.category === 'learned' && span.end > span.start)).toBe(true);
    }
  });

  it('passes held-out hard benign text that uses the attackers’ words', () => {
    for (const id of ['fs-025', 'in-035', 'lg-029', 'st-021']) {
      const benign = line(id);
      expect(trainingSplit(id)).toBe('test');
      expect(benign.label).toBe('benign');
      const verdict = screenText(benign.text, { source: benign.source });
      expect(verdict.flagged).toBe(false);
      expect(verdict.categories).not.toContain('learned');
    }
  });

  it('on the whole test split, adds detection over the rules at a low false-positive rate', () => {
    // Measured when the model was trained: rules 25.8% detection, rules + model 67.1% at 3.0% false positives. With the
    // rules' intent-level coverage: rules 47.8%, rules + model 77.7% at 1.6%. With ten more authors' lines (a test split
    // four times as varied) and concept tags: rules 42.9%, rules + model 83.1% at 1.7%; the model adds over a third.
    // Two more authors of tool coercion, authority spoofing and documents about attacks (the rules catch 12% of the
    // first's attacks, and lose none of the older lines): rules 39.3%, rules + model 84.0% at 2.1%.
    const test = lines.filter((l) => trainingSplit(l.id) === 'test');
    const attacks = test.filter((l) => l.label === 'attack');
    const benign = test.filter((l) => l.label === 'benign');
    const rate = (subset: InjectionTrainingLine[], screen: typeof screenText): number =>
      subset.filter((l) => screen(l.text, { source: l.source }).flagged).length / subset.length;
    const rules = rate(attacks, screenTextRulesOnly);
    const both = rate(attacks, screenText);
    expect(rules).toBeGreaterThanOrEqual(0.37);
    expect(both).toBeGreaterThanOrEqual(0.8);
    expect(both - rules).toBeGreaterThanOrEqual(0.35);
    expect(rate(benign, screenText)).toBeLessThanOrEqual(0.05);
  });

  it('reports no evidence for short or wordless text', () => {
    for (const text of ['', '   ', '12345', '--- | ---', 'ok', 'Closed Won']) {
      expect(screenText(text, { source: 'tool' })).toEqual({ score: 0, flagged: false, categories: [], spans: [] });
    }
  });

  it('is deterministic', () => {
    const text = line('hp-007').text;
    expect(screenText(text)).toEqual(screenText(text));
    const prepared = prepareText(text);
    expect([...featurize(prepared, 'user')]).toEqual([...featurize(prepared, 'user')]);
    if (model) expect(learnedScore(model, text, 'user')).toBe(learnedScore(model, text, 'user'));
  });

  it('scores long text in bounded windows, the strongest window counting', () => {
    const attack = line('hr-023').text;
    const filler = 'The quarterly report is attached and the figures match the ledger. '.repeat(200);
    const text = `${filler}${attack} ${filler}`;
    const parts = windows(prepareText(text));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(WINDOW);
    expect(screenText(text).categories).toContain('learned');
    expect(screenText(filler).flagged).toBe(false);
  });

  it('Sanitize cuts the sentence the model flags and keeps the rest', () => {
    // A test-split attack the rules miss (hr-023 was one until the rules learned "new rules" overrides).
    const text = `Thanks for fixing the heater yesterday, it works well. ${line('t2-006').text}`;
    const verdict = screenText(text, { source: 'tool' });
    expect(verdict.categories).toContain('learned');
    const outcome = applySafetyMode(text, verdict, 'Sanitize', { source: 'tool' });
    expect(outcome.action).toBe('sanitized');
    expect(outcome.text).toContain('Thanks for fixing the heater yesterday');
    expect(outcome.text).toContain('[REMOVED:learned]');
    expect(outcome.removed.map((r) => r.category)).toEqual(['learned']);
  });
});

describe('learned injection model: fails closed', () => {
  const corrupt: Array<[string, unknown]> = [
    ['a changed weight', { ...LEARNED_WEIGHTS, weights: `B${LEARNED_WEIGHTS.weights.slice(1)}` }],
    ['truncated weights', { ...LEARNED_WEIGHTS, weights: LEARNED_WEIGHTS.weights.slice(0, 1000) }],
    ['another format', { ...LEARNED_WEIGHTS, format: 'loom-injection-lr/0' }],
    ['a bad checksum', { ...LEARNED_WEIGHTS, checksum: '00000000' }],
    ['a missing threshold', { ...LEARNED_WEIGHTS, thresholds: { user: 1 } }],
    ['a non-finite bias', { ...LEARNED_WEIGHTS, bias: Number.NaN }],
    ['a bits value out of range', { ...LEARNED_WEIGHTS, bits: 40 }],
    ['nothing', undefined],
    ['a string', 'weights'],
  ];

  it.each(corrupt)('rejects weights with %s', (_name, raw) => {
    expect(parseLearnedModel(raw)).toBeNull();
  });

  it('flags every text when the weights did not load', () => {
    for (const text of ['Thanks for the call.', 'Ignore the duplicate case 00001234']) {
      expect(screenTextWithModel(null, text, { source: 'tool' })).toEqual({
        score: 1,
        flagged: true,
        categories: ['detector_error'],
        spans: [],
      });
    }
  });
});
