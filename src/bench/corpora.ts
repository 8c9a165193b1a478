import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DescribeIndex } from '../governance/describe.ts';
import { fnv1a } from '../governance/injection/learned.ts';
import { parseJsonl } from './jsonl.ts';

/** The labelled corpora live with the test fixtures; each line is validated, so a malformed corpus fails loudly. */
const FIXTURES = new URL('../../test/fixtures/', import.meta.url);

export const SoqlEntry = z.object({
  id: z.string(),
  persona: z.enum(['officer', 'underwriter']),
  query: z.string(),
  expected: z.enum(['allow', 'block']),
  reason: z.string(),
  bypass: z.string().optional(),
});
export type SoqlEntry = z.infer<typeof SoqlEntry>;

export const PiiEntry = z.object({
  id: z.number(),
  label: z.enum(['pii', 'lookalike', 'mixed']),
  kind: z.string(),
  text: z.string(),
  secrets: z.array(z.object({ type: z.string(), value: z.string().min(1) })),
  preserve: z.array(z.string().min(1)),
});
export type PiiEntry = z.infer<typeof PiiEntry>;

export const InjectionEntry = z.object({
  id: z.number(),
  label: z.enum(['attack', 'benign']),
  category: z.string(),
  source: z.enum(['user', 'tool']),
  split: z.string(),
  text: z.string(),
});
export type InjectionEntry = z.infer<typeof InjectionEntry>;

/**
 * The lines the learned injection screen is trained on (`injection-training/lines.jsonl`, written by hand for it):
 * attacks and hard benign business text across domains, sources and languages.
 */
export const InjectionTrainingLine = z.object({
  id: z.string(),
  label: z.enum(['attack', 'benign']),
  goal: z.string(),
  source: z.enum(['user', 'tool']),
  domain: z.string(),
  lang: z.string(),
  text: z.string().min(1),
});
export type InjectionTrainingLine = z.infer<typeof InjectionTrainingLine>;
export type TrainingSplit = 'train' | 'validation' | 'test';

/**
 * The fixed split of the training lines, by a hash of the id (so adding lines never moves old ones): 60% train (the
 * model learns from these), 20% validation (chooses the thresholds), 20% test (never trained or tuned on).
 */
export function trainingSplit(id: string): TrainingSplit {
  const bucket = fnv1a(`split:${id}`) % 100;
  return bucket < 60 ? 'train' : bucket < 80 ? 'validation' : 'test';
}

function readJsonl<T>(relative: string, schema: z.ZodType<T>): T[] {
  return parseJsonl(readFileSync(new URL(relative, FIXTURES), 'utf8'), schema, {
    notJson: (line, error) => new Error(`${relative}:${line}: not JSON: ${(error as Error).message}`, { cause: error }),
    badShape: (line, error) => new Error(`${relative}:${line}: ${z.prettifyError(error)}`),
  });
}

export const loadSoqlCorpus = (): SoqlEntry[] => readJsonl('soql-corpus/corpus.jsonl', SoqlEntry);
export const loadPiiCorpus = (): PiiEntry[] => readJsonl('pii-corpus/corpus.jsonl', PiiEntry);
export const loadInjectionCorpus = (): InjectionEntry[] => readJsonl('injection-corpus/corpus.jsonl', InjectionEntry);
export const loadInjectionTraining = (): InjectionTrainingLine[] =>
  readJsonl('injection-training/lines.jsonl', InjectionTrainingLine);

/** The lending org's describe as seen by a persona (`test/fixtures/describe/lending-<persona>.json`). A new instance per call. */
export function loadDescribeIndex(persona: 'officer' | 'underwriter'): DescribeIndex {
  return DescribeIndex.fromJson(
    JSON.parse(readFileSync(new URL(`describe/lending-${persona}.json`, FIXTURES), 'utf8')),
  );
}
