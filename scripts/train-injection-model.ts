/**
 * Trains the learned half of the injection screen (`src/governance/injection/learned.ts`) and writes its weights to
 * `src/governance/injection/learned-weights.ts`. Deterministic: the same lines give the same bytes.
 *
 *   npm run train:injection               train, print the figures, write the weights
 *   npm run train:injection -- --check    train and fail unless the committed weights are what this run produces
 *   npm run train:injection -- --dry-run  train and print, write nothing
 *   npm run train:injection -- --cross-author  leave each author batch out in turn and score it (chooses options)
 *
 * Data: `test/fixtures/injection-training/lines.jsonl`, split by a hash of each id (`trainingSplit`): the model learns
 * from `train`, the per-source thresholds are chosen on `validation` (the rules and the model together may flag at most
 * 3% of its benign lines per source), and `test` is only reported. Nothing else is read: not the injection corpus (its
 * figures are printed as a second held-out measure), never a blind round.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import {
  loadInjectionCorpus,
  loadInjectionTraining,
  trainingSplit,
  type InjectionTrainingLine,
} from '../src/bench/corpora.ts';
import { screenTextRulesOnly, screenTextWithModel } from '../src/governance/injection/index.ts';
import {
  LEARNED_BITS,
  featurize,
  learnedText,
  parseLearnedModel,
  prepareText,
  serializeLearnedModel,
  windowValue,
  windows,
  type LearnedModel,
  type LearnedSource,
  type SerializedLearnedModel,
} from '../src/governance/injection/learned.ts';
import { normalizeForScreening } from '../src/governance/injection/normalize.ts';

const OUT = new URL('../src/governance/injection/learned-weights.ts', import.meta.url);
const SOURCES: LearnedSource[] = ['user', 'tool'];

export interface TrainOptions {
  bits: number;
  epochs: number;
  l2: number;
  rate: number;
  seed: number;
  /** Most false positives per source on the validation split, rules and model together. */
  fpTarget: number;
}
export const DEFAULTS: TrainOptions = {
  bits: LEARNED_BITS,
  epochs: 30,
  l2: 1e-5,
  rate: 0.05,
  seed: 18,
  fpTarget: 0.02,
};

type Example = { line: InjectionTrainingLine; x: Map<number, number>; y: 0 | 1 };

/** mulberry32: a small seeded generator, so the example order (and so the weights) is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

const viewOf = (text: string): string => learnedText(normalizeForScreening(text));

/**
 * Naive-Bayes-scaled logistic regression (NBSVM's idea with a logistic loss): each feature is first scaled by
 * 1 + |log-count ratio| (how much more often it occurs in attacks than in benign lines, or the reverse), then the
 * model is fitted on the scaled features; the scale is folded into the weights, so the screen reads plain weights.
 */
export function fit(examples: Example[], options: TrainOptions): { weights: Float64Array; bias: number } {
  const size = 1 << options.bits;
  const attacks = new Float64Array(size).fill(1);
  const benign = new Float64Array(size).fill(1);
  let attackTotal = size;
  let benignTotal = size;
  for (const example of examples) {
    const counts = example.y === 1 ? attacks : benign;
    for (const bucket of example.x.keys()) counts[bucket] = (counts[bucket] as number) + 1;
    if (example.y === 1) attackTotal += example.x.size;
    else benignTotal += example.x.size;
  }
  const scale = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    scale[i] = 1 + Math.abs(Math.log((attacks[i] as number) / attackTotal / ((benign[i] as number) / benignTotal)));
  }
  const scaled = examples.map((example) => ({
    ...example,
    x: new Map(
      [...example.x].map(([bucket, value]) => [bucket, value * (scale[bucket] as number)] as [number, number]),
    ),
  }));
  const { weights, bias } = logisticRegression(scaled, options);
  for (let i = 0; i < size; i++) weights[i] = (weights[i] as number) * (scale[i] as number);
  return { weights, bias };
}

/** Logistic regression by AdaGrad SGD, classes weighted to balance, L2 on the features each step touches. */
function logisticRegression(examples: Example[], options: TrainOptions): { weights: Float64Array; bias: number } {
  const size = 1 << options.bits;
  const weights = new Float64Array(size);
  const squares = new Float64Array(size);
  let bias = 0;
  let biasSquares = 0;
  const positives = examples.filter((e) => e.y === 1).length;
  const classWeight = [examples.length / (2 * (examples.length - positives)), examples.length / (2 * positives)];
  const next = random(options.seed);
  const order = examples.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const index of order) {
      const example = examples[index] as Example;
      let z = bias;
      for (const [bucket, value] of example.x) z += (weights[bucket] as number) * value;
      const g = (sigmoid(z) - example.y) * (classWeight[example.y] as number);
      for (const [bucket, value] of example.x) {
        const grad = g * value + options.l2 * (weights[bucket] as number);
        squares[bucket] = (squares[bucket] as number) + grad * grad;
        weights[bucket] =
          (weights[bucket] as number) - (options.rate * grad) / Math.sqrt((squares[bucket] as number) + 1e-8);
      }
      biasSquares += g * g;
      bias -= (options.rate * g) / Math.sqrt(biasSquares + 1e-8);
    }
  }
  return { weights, bias };
}

/** The strongest window's decision value, as the screen computes it. */
function zOf(model: LearnedModel, text: string, source: LearnedSource): number {
  let best = -Infinity;
  for (const window of windows(prepareText(viewOf(text)))) best = Math.max(best, windowValue(model, window, source));
  return best;
}

/**
 * Per source, the lowest decision value at which the model alone flags at most `fpTarget` of the validation split's
 * benign lines of that source (a hair above the highest benign value that must pass). The rules' own false positives
 * come on top; the report prints both, and the two together.
 */
function chooseThresholds(
  model: LearnedModel,
  lines: InjectionTrainingLine[],
  fpTarget: number,
): Record<LearnedSource, number> {
  const out = { user: 0, tool: 0 };
  for (const source of SOURCES) {
    const values = lines
      .filter((l) => l.label === 'benign' && l.source === source)
      .map((l) => zOf(model, l.text, source))
      .sort((a, b) => b - a);
    const allowed = Math.floor(fpTarget * values.length + 1e-9);
    const pass = values[allowed];
    out[source] = pass === undefined ? Math.min(0, ...values) : pass + 1e-6;
  }
  return out;
}

interface Rates {
  attacks: number;
  detected: number;
  benign: number;
  falsePositives: number;
}
type Screen = (text: string, source: LearnedSource) => boolean;

function rates(
  lines: Array<{ label: string; source: LearnedSource; text: string }>,
  flagged: Screen,
): Record<'all' | LearnedSource, Rates> {
  const out = {} as Record<'all' | LearnedSource, Rates>;
  for (const key of ['all', ...SOURCES] as const) out[key] = { attacks: 0, detected: 0, benign: 0, falsePositives: 0 };
  for (const line of lines) {
    const hit = flagged(line.text, line.source);
    for (const key of ['all', line.source] as const) {
      const r = out[key];
      if (line.label === 'attack') {
        r.attacks++;
        if (hit) r.detected++;
      } else {
        r.benign++;
        if (hit) r.falsePositives++;
      }
    }
  }
  return out;
}

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);
function describe(r: Record<'all' | LearnedSource, Rates>): string {
  return (['all', ...SOURCES] as const)
    .map((k) => `${k} ${pct(r[k].detected, r[k].attacks)} det / ${pct(r[k].falsePositives, r[k].benign)} FP`)
    .join(' | ');
}

export interface TrainResult {
  serialized: SerializedLearnedModel;
  model: LearnedModel;
  splits: Record<'train' | 'validation' | 'test', InjectionTrainingLine[]>;
}

/** Fits the model on the train split and chooses its thresholds on the validation split. */
export function train(options: TrainOptions = DEFAULTS, lines = loadInjectionTraining()): TrainResult {
  const split = (name: string): InjectionTrainingLine[] => lines.filter((l) => trainingSplit(l.id) === name);
  const splits = { train: split('train'), validation: split('validation'), test: split('test') };
  const examples: Example[] = splits.train.map((line) => ({
    line,
    x: featurize(prepareText(viewOf(line.text)), line.source, options.bits),
    y: line.label === 'attack' ? 1 : 0,
  }));
  const { weights, bias } = fit(examples, options);
  // Thresholds are chosen for the quantised weights the screen will load.
  const provisional = parseLearnedModel(serializeLearnedModel(weights, bias, { user: 0, tool: 0 }, options.bits));
  if (provisional === null) throw new Error('the serialised weights do not load');
  const thresholds = chooseThresholds(provisional, splits.validation, options.fpTarget);
  const count = (subset: InjectionTrainingLine[]): Record<string, number> => ({
    lines: subset.length,
    attacks: subset.filter((l) => l.label === 'attack').length,
    benign: subset.filter((l) => l.label === 'benign').length,
  });
  const trainedOn = {
    data: 'test/fixtures/injection-training/lines.jsonl',
    train: count(splits.train),
    validation: count(splits.validation),
    test: count(splits.test),
    options,
  };
  const serialized = serializeLearnedModel(weights, bias, thresholds, options.bits, trainedOn);
  const model = parseLearnedModel(serialized);
  if (model === null) throw new Error('the serialised weights do not load');
  return { serialized, model, splits };
}

/** Detection and false positives of the rules, the model and both, per split of the training lines and the corpus. */
export function report({ model, splits }: TrainResult): string[] {
  const rules: Screen = (text, source) => screenTextRulesOnly(text, { source }).flagged;
  const both: Screen = (text, source) => screenTextWithModel(model, text, { source }).flagged;
  const learnedOnly: Screen = (text, source) => zOf(model, text, source) >= model.thresholds[source];
  const out = [
    `lines: train ${splits.train.length}, validation ${splits.validation.length}, test ${splits.test.length}; ` +
      `thresholds user ${model.thresholds.user.toFixed(3)}, tool ${model.thresholds.tool.toFixed(3)}`,
  ];
  for (const name of ['train', 'validation', 'test'] as const) {
    out.push(`${name.padEnd(10)} rules    ${describe(rates(splits[name], rules))}`);
    out.push(`${name.padEnd(10)} learned  ${describe(rates(splits[name], learnedOnly))}`);
    out.push(`${name.padEnd(10)} combined ${describe(rates(splits[name], both))}`);
  }
  const corpus = loadInjectionCorpus();
  for (const name of [...new Set(corpus.map((e) => e.split))].sort()) {
    const subset = corpus.filter((e) => e.split === name);
    out.push(`corpus ${name.padEnd(8)} rules    ${describe(rates(subset, rules))}`);
    out.push(`corpus ${name.padEnd(8)} combined ${describe(rates(subset, both))}`);
  }
  return out;
}

/**
 * Batches written by separate authors, each of whom saw neither the rules nor the other batches. Training on all but
 * one and testing on the whole of that one measures how far the model carries to another author's phrasing, which a
 * hash split of one author's lines cannot tell.
 */
export const AUTHOR_BATCHES: Readonly<Record<string, string>> = {
  ka: 'languages other than English',
  kb: 'tool results in structured formats',
  kc: "a red team's user turns",
  kd: 'subtle attacks; security, compliance and IT text',
  ke: 'short chat turns and field values',
  kf: 'tool results and user turns in 20+ languages',
  kg: 'customer channels: e-mail, chat, reviews, transcripts',
  kh: 'regulated industries',
  ki: "attacks on the agent's tool use; integration text",
  kj: 'creative and evasive writing; creative business text',
  kk: 'hard benign tool results (security, AI, process and policy text)',
  kl: 'goal hijacking, multi-step, questions, fake processes; low-resource languages',
  km: 'documents that report, teach or narrate attacks, beside the same genres carrying one',
  kn: 'tool coercion and authority spoofing, beside legitimate tool requests and admin notices',
  ko: 'indirect injection planted in data, beside the same data with orders for people',
  kp: "an insider's subtle user turns, beside employees' hard legitimate requests",
  kq: 'attacks laid out as data (test tables, CSV payload columns, quoted e-mail, code), beside the same layouts carrying one',
  kr: 'claimed policy changes and skipped controls in user turns; short tool fields',
  ks: 'text about AI assistants (policies, release notes, minutes, news), beside the same genres speaking to the reader',
};
export const authorOf = (id: string): string => {
  const batch = id.split('-')[0] ?? '';
  return batch in AUTHOR_BATCHES ? batch : 'project';
};

/** How well the model ranks, whatever its threshold: the share of attacks above the value only `fp` of benign pass. */
function detectionAtFalsePositives(model: LearnedModel, lines: InjectionTrainingLine[], fp: number): number {
  const z = (l: InjectionTrainingLine): number => zOf(model, l.text, l.source);
  const benign = lines
    .filter((l) => l.label === 'benign')
    .map(z)
    .sort((a, b) => b - a);
  const cut = benign[Math.floor(fp * benign.length)] ?? -Infinity;
  const attacks = lines.filter((l) => l.label === 'attack').map(z);
  return attacks.filter((value) => value > cut).length / Math.max(1, attacks.length);
}

/** Leave one author out: train on the other authors' train and validation splits, score the held-out author's lines. */
export function crossAuthor(options: TrainOptions): string[] {
  const lines = loadInjectionTraining();
  const rules: Screen = (text, source) => screenTextRulesOnly(text, { source }).flagged;
  const out: string[] = [];
  const mean = { learned: [0, 0], combined: [0, 0], n: 0, ranking: 0 };
  const authors = [...new Set(lines.map((l) => authorOf(l.id)))].sort();
  for (const author of authors) {
    const held = lines.filter((l) => authorOf(l.id) === author);
    const { model } = train(
      options,
      lines.filter((l) => authorOf(l.id) !== author),
    );
    const both: Screen = (text, source) => screenTextWithModel(model, text, { source }).flagged;
    const learnedOnly: Screen = (text, source) => zOf(model, text, source) >= model.thresholds[source];
    const learned = rates(held, learnedOnly);
    mean.ranking += detectionAtFalsePositives(model, held, 0.02);
    const combined = rates(held, both);
    out.push(`without ${author.padEnd(8)} rules    ${describe(rates(held, rules))}`);
    out.push(`without ${author.padEnd(8)} learned  ${describe(learned)}`);
    out.push(`without ${author.padEnd(8)} combined ${describe(combined)}`);
    for (const [key, r] of [['learned', learned.all] as const, ['combined', combined.all] as const]) {
      mean[key][0] = (mean[key][0] as number) + r.detected / Math.max(1, r.attacks);
      mean[key][1] = (mean[key][1] as number) + r.falsePositives / Math.max(1, r.benign);
    }
    mean.n++;
  }
  out.push(
    `mean learned detection at 2% FP (threshold set on the author left out): ${((100 * mean.ranking) / mean.n).toFixed(1)}%`,
  );
  for (const key of ['learned', 'combined'] as const)
    out.push(
      `mean over ${mean.n} authors left out, ${key}: ${((100 * (mean[key][0] as number)) / mean.n).toFixed(1)}% det / ` +
        `${((100 * (mean[key][1] as number)) / mean.n).toFixed(1)}% FP`,
    );
  return out;
}

/** The module the screen imports, formatted as the repository formats TypeScript. */
export async function renderWeightsModule(serialized: SerializedLearnedModel): Promise<string> {
  const source =
    '// Generated by scripts/train-injection-model.ts (npm run train:injection) from test/fixtures/injection-training/.\n' +
    '// Do not edit: retrain instead. The screen checks the checksum and fails closed if these weights do not load.\n' +
    "import type { SerializedLearnedModel } from './learned.ts';\n\n" +
    `export const LEARNED_WEIGHTS: SerializedLearnedModel = ${JSON.stringify(serialized)};\n`;
  const config = (await resolveConfig(OUT.pathname)) ?? {};
  return format(source, { ...config, filepath: OUT.pathname });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options = { ...DEFAULTS };
  for (const key of ['bits', 'epochs', 'l2', 'rate', 'seed', 'fpTarget'] as const) {
    const at = args.indexOf(`--${key}`);
    if (at !== -1) options[key] = Number(args[at + 1]);
  }
  if (args.includes('--cross-author')) {
    for (const line of crossAuthor(options)) console.log(line);
    return;
  }
  const started = performance.now();
  const result = train(options);
  console.log(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const line of report(result)) console.log(line);
  const rendered = await renderWeightsModule(result.serialized);
  if (args.includes('--check')) {
    const committed = readFileSync(OUT, 'utf8');
    if (committed !== rendered) {
      console.error('learned-weights.ts differs from a fresh training run: run npm run train:injection');
      process.exitCode = 1;
    } else console.log('learned-weights.ts matches a fresh training run');
    return;
  }
  if (args.includes('--dry-run')) return;
  writeFileSync(OUT, rendered);
  console.log(`wrote ${OUT.pathname.split('/').slice(-4).join('/')} (${(rendered.length / 1024).toFixed(0)} KB)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
