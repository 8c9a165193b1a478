/**
 * The learned half of the injection screen: a logistic-regression model over hashed features of the screening view
 * (word unigrams and bigrams, character 3–5-grams), trained by `scripts/train-injection-model.ts` on the lines the
 * project wrote for it (`test/fixtures/injection-training/`). Pure and deterministic; linear in the text's length
 * (long texts are scored in overlapping windows, the strongest window counts).
 *
 * The weights ship as a module (`learned-weights.ts`): int8 values with one scale, base64-encoded, with a checksum.
 * `parseLearnedModel` returns null for anything that does not check out, and the screen then fails closed.
 */
import { CONCEPTS, forEachConcept } from './concepts.ts';

/** Where a text came from (the same union as `SafetySource` in index.ts, which imports this module). */
export type LearnedSource = 'user' | 'tool';
type SafetySource = LearnedSource;

/** Hashed feature space: 2^BITS buckets. */
export const LEARNED_BITS = 19;
export const LEARNED_FORMAT = 'loom-injection-lr/1';
/** Texts longer than this are scored in windows of this many characters (of the prepared text). */
export const WINDOW = 1000;
const STRIDE = 500;

export interface SerializedLearnedModel {
  format: string;
  bits: number;
  /** The value of one int8 step. */
  scale: number;
  bias: number;
  /** Decision values (logits) per source at which the learned score reaches 0.5: chosen on the validation split. */
  thresholds: Record<SafetySource, number>;
  /** base64 of 2^bits int8 weights. */
  weights: string;
  /** FNV-1a (hex) of the decoded weight bytes. */
  checksum: string;
  /** Where the model came from (data, split sizes, figures): for audits, not read by the screen. */
  trainedOn?: unknown;
}

export interface LearnedModel {
  bits: number;
  weights: Float32Array;
  bias: number;
  thresholds: Record<SafetySource, number>;
}

/** FNV-1a over UTF-16 code units, 32 bits. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function bytesChecksum(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i] as number;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

const WORD = /[\p{L}\p{N}]+/gu;
const HAS_WORD = /\p{L}/u;
const DIGITS = /\p{N}+/gu;
const SPACE = /\s+/gu;

/** Lower case, every number as `0` (ids, amounts and dates carry no intent), one space for any run of white space. */
export function prepareText(view: string): string {
  return view.toLowerCase().replace(DIGITS, '0').replace(SPACE, ' ').trim();
}

/** murmur3's finaliser: spreads a combined hash over all 32 bits (the low bits pick the bucket, the top bit the sign). */
function mix(hash: number): number {
  let h = hash >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
const pair = (a: number, b: number): number => mix(Math.imul(a ^ 0x9e3779b9, 0x01000193) ^ b);
const SOURCE_SEED: Readonly<Record<SafetySource, number>> = { user: fnv1a('source:user'), tool: fnv1a('source:tool') };

// A block with fewer features than this is divided as if it had this many: a few words are weak evidence, so a short
// text's score stays near the prior instead of resting on two or three features (about 16 words, 40 characters).
const WORD_FLOOR = 48;
const CHAR_FLOOR = 120;
const CONCEPT_FLOOR = 12;
if (CONCEPTS.length > 31) throw new Error('concept bits: at most 31 concepts');
const CONCEPT_SEEDS = CONCEPTS.map((concept) => fnv1a(`concept:${concept}`));
const conceptBit = (name: string): number => 1 << CONCEPTS.indexOf(name);
const AI_BITS = conceptBit('ai') | conceptBit('ai_described');
const YOU_BIT = conceptBit('you');
const ADDRESSED_BIT = conceptBit('ai_addressed');
const DESCRIBED_ONLY = fnv1a('structure:described-only');
const SPOKEN_TO = fnv1a('structure:spoken-to');

// Scratch space for `forEachFeature`: a stamp per bucket marks the buckets a block has already used (so each feature
// counts once, without a Set per window), and the hashes of a block wait in `pending` until its size is known.
let stamps = new Uint32Array(0);
let stampEpoch = 0;
let pending = new Int32Array(4096);

function nextEpoch(bits: number): number {
  if (stamps.length !== 1 << bits || stampEpoch >= 0xfffffff0) {
    stamps = new Uint32Array(1 << bits);
    stampEpoch = 0;
  }
  return ++stampEpoch;
}

/**
 * The features of one prepared window, each handed to `visit(bucket, value)` once. Two blocks of binary features,
 * each divided by the square root of its number of features (at least the floor above), so that a window's length
 * does not decide its score:
 * words (each unigram, each unigram paired with the source, each bigram) and characters (3–5-grams of the text with a
 * space at each end). Each hashed feature takes its sign from its hash, so that collisions tend to cancel; a bucket
 * counts once per block. Plus one feature for the source itself: "note to the AI" reads differently in a user's own
 * turn than inside a tool result. Linear in the window's length; no allocation per feature.
 */
export function forEachFeature(
  prepared: string,
  source: SafetySource,
  bits: number,
  visit: (bucket: number, value: number) => void,
): void {
  const mask = (1 << bits) - 1;
  const seed = SOURCE_SEED[source];
  // Words: unigrams, unigrams with the source, bigrams.
  let epoch = nextEpoch(bits);
  let count = 0;
  let previous = 0;
  let first = true;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(prepared); m !== null; m = WORD.exec(prepared)) {
    const token = fnv1a(m[0], 0x1b873593);
    count = keep(mix(token), mask, epoch, count);
    count = keep(pair(seed, token), mask, epoch, count);
    if (!first) count = keep(pair(previous, token), mask, epoch, count);
    previous = token;
    first = false;
  }
  flush(count, WORD_FLOOR, mask, visit);
  // Characters: 3-, 4- and 5-grams of the text with a space at each end.
  epoch = nextEpoch(bits);
  count = 0;
  const padded = ` ${prepared} `;
  const length = padded.length;
  for (let i = 0; i + 3 <= length; i++) {
    let hash = Math.imul(0x811c9dc5 ^ padded.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ padded.charCodeAt(i + 1), 0x01000193);
    for (let n = 3; n <= 5 && i + n <= length; n++) {
      hash = Math.imul(hash ^ padded.charCodeAt(i + n - 1), 0x01000193);
      count = keep(mix(hash ^ n), mask, epoch, count);
    }
  }
  flush(count, CHAR_FLOOR, mask, visit);
  // Concepts: each tag, each tag with the source, each pair of tags at most three tags apart, in order.
  epoch = nextEpoch(bits);
  count = 0;
  const recent = [0, 0, 0];
  let tags = 0;
  let seen = 0; // one bit per concept (fewer than 32)
  forEachConcept(prepared, (concept) => {
    seen |= 1 << concept;
    const tag = CONCEPT_SEEDS[concept] as number;
    count = keep(mix(tag), mask, epoch, count);
    count = keep(pair(seed, tag), mask, epoch, count);
    for (let back = 1; back <= Math.min(3, tags); back++)
      count = keep(pair((recent[(tags - back) % 3] as number) ^ back, tag), mask, epoch, count);
    recent[tags % 3] = tag;
    tags++;
  });
  // Who the window speaks to: the model named with no "you" and no address to it (a policy, release notes, minutes
  // about an assistant), or the model spoken to. One feature each, so the model can weigh the absence of an address.
  const has = (bits: number): boolean => (seen & bits) !== 0;
  if (has(AI_BITS) && !has(YOU_BIT) && !has(ADDRESSED_BIT))
    count = keep(pair(seed, DESCRIBED_ONLY), mask, epoch, count);
  if (has(ADDRESSED_BIT) || (has(AI_BITS) && has(YOU_BIT))) count = keep(pair(seed, SPOKEN_TO), mask, epoch, count);
  flush(count, CONCEPT_FLOOR, mask, visit);
  visit(seed & mask, 1);
}

/** Queues a feature's hash unless its bucket was already used in this block; returns the new queue length. */
function keep(hash: number, mask: number, epoch: number, count: number): number {
  const bucket = hash & mask;
  if (stamps[bucket] === epoch) return count;
  stamps[bucket] = epoch;
  if (count === pending.length) {
    const grown = new Int32Array(pending.length * 2);
    grown.set(pending);
    pending = grown;
  }
  pending[count] = hash;
  return count + 1;
}

/** Hands a block's queued features to `visit`, each divided by the square root of the block's size (or its floor). */
function flush(count: number, floor: number, mask: number, visit: (bucket: number, value: number) => void): void {
  if (count === 0) return;
  const value = 1 / Math.sqrt(Math.max(count, floor));
  for (let k = 0; k < count; k++) {
    const hash = pending[k] as number;
    visit(hash & mask, hash < 0 ? -value : value);
  }
}

/** The features of one prepared window as a sparse vector (training). */
export function featurize(prepared: string, source: SafetySource, bits = LEARNED_BITS): Map<number, number> {
  const out = new Map<number, number>();
  forEachFeature(prepared, source, bits, (bucket, value) => out.set(bucket, (out.get(bucket) ?? 0) + value));
  return out;
}

/** What the model reads of a screening view: its text and any text hidden in Unicode tag characters. */
export const learnedText = (view: { text: string; hiddenTags: string }): string =>
  view.hiddenTags === '' ? view.text : `${view.text} ${view.hiddenTags}`;

/** The model's decision value (logit) for a sparse vector. */
export function decisionValue(model: LearnedModel, features: Map<number, number>): number {
  let z = model.bias;
  for (const [bucket, value] of features) z += (model.weights[bucket] ?? 0) * value;
  return z;
}

/** The model's decision value for one prepared window, straight from its features (the screen's path). */
export function windowValue(model: LearnedModel, prepared: string, source: SafetySource): number {
  let z = model.bias;
  const weights = model.weights;
  forEachFeature(prepared, source, model.bits, (bucket, value) => {
    z += (weights[bucket] as number) * value;
  });
  return z;
}

/** Windows of a prepared text: the whole text when short, else overlapping windows cut at spaces. */
export function windows(prepared: string): string[] {
  if (prepared.length <= WINDOW) return [prepared];
  const out: string[] = [];
  for (let start = 0; start < prepared.length; start += STRIDE) {
    let from = start;
    if (from > 0) {
      const space = prepared.indexOf(' ', from);
      from = space === -1 || space - from > 40 ? from : space + 1;
    }
    out.push(prepared.slice(from, Math.min(prepared.length, start + WINDOW)));
    if (start + WINDOW >= prepared.length) break;
  }
  return out;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * The learned score of a screening view for a source: σ(z − t_source), so 0.5 is the operating point chosen on the
 * validation split (at most 3% false positives there), higher is more certain. The strongest window counts.
 */
export function learnedScore(model: LearnedModel, view: string, source: SafetySource): number {
  const prepared = prepareText(view);
  if (!HAS_WORD.test(prepared)) return 0; // no word, no evidence (empty text, numbers only, punctuation)
  let best = -Infinity;
  for (const window of windows(prepared)) {
    const z = windowValue(model, window, source);
    if (z > best) best = z;
  }
  if (!Number.isFinite(best)) return 0;
  return sigmoid(best - model.thresholds[source]);
}

/** Validates and decodes shipped weights; null when anything is off (the caller fails closed). */
export function parseLearnedModel(raw: unknown): LearnedModel | null {
  try {
    if (typeof raw !== 'object' || raw === null) return null;
    const model = raw as Partial<SerializedLearnedModel>;
    const { bits, scale, bias, thresholds, weights, checksum } = model;
    if (model.format !== LEARNED_FORMAT) return null;
    if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 10 || bits > 22) return null;
    if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) return null;
    if (typeof bias !== 'number' || !Number.isFinite(bias)) return null;
    if (typeof thresholds !== 'object' || thresholds === null) return null;
    if (!Number.isFinite(thresholds.user) || !Number.isFinite(thresholds.tool)) return null;
    if (typeof weights !== 'string' || typeof checksum !== 'string') return null;
    const bytes = Buffer.from(weights, 'base64');
    if (bytes.length !== 1 << bits || bytesChecksum(bytes) !== checksum) return null;
    const values = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    const dense = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) dense[i] = (values[i] as number) * scale;
    return { bits, weights: dense, bias, thresholds: { user: thresholds.user, tool: thresholds.tool } };
  } catch {
    return null;
  }
}

/** Quantises float weights to the shipped form (used by the training script). */
export function serializeLearnedModel(
  weights: Float64Array,
  bias: number,
  thresholds: Record<SafetySource, number>,
  bits: number,
  trainedOn?: unknown,
): SerializedLearnedModel {
  let max = 0;
  for (const w of weights) max = Math.max(max, Math.abs(w));
  const scale = max === 0 ? 1 : max / 127;
  const bytes = new Uint8Array(weights.length);
  const view = new Int8Array(bytes.buffer);
  for (let i = 0; i < weights.length; i++)
    view[i] = Math.max(-127, Math.min(127, Math.round((weights[i] as number) / scale)));
  return {
    format: LEARNED_FORMAT,
    bits,
    scale: Number(scale.toPrecision(9)),
    bias: Number(bias.toPrecision(9)),
    thresholds: { user: Number(thresholds.user.toPrecision(6)), tool: Number(thresholds.tool.toPrecision(6)) },
    weights: Buffer.from(bytes).toString('base64'),
    checksum: bytesChecksum(bytes),
    ...(trainedOn === undefined ? {} : { trainedOn }),
  };
}
