import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { screenText, screenTextRulesOnly, type SafetySource } from '../governance/injection/index.ts';
import { MemoryTokenVault, PiiMasker, decodeHtmlEntities } from '../governance/pii/index.ts';
import { parseJsonl } from './jsonl.ts';
import { round } from './stats.ts';

/**
 * Scores external ("blind") JSONL files written by someone who never saw the rules. Only aggregate figures come out:
 * never a line, an id or a per-line verdict, so scoring a blind round cannot leak its content into the tuning.
 */

export const BLIND_PII_TYPES = ['SSN', 'CREDIT_CARD', 'EMAIL', 'PHONE', 'IP_ADDRESS', 'DOB', 'IBAN'] as const;

export const BlindPiiLine = z.object({
  id: z.union([z.string(), z.number()]),
  label: z.enum(['pii', 'mixed', 'lookalike', 'benign']),
  domain: z.string().optional(),
  format: z.string().optional(),
  text: z.string(),
  secrets: z.array(z.object({ type: z.string(), value: z.string().min(1) })).default([]),
  preserve: z.array(z.string().min(1)).default([]),
});
export type BlindPiiLine = z.infer<typeof BlindPiiLine>;

export const BlindInjectionLine = z.object({
  id: z.union([z.string(), z.number()]),
  label: z.enum(['attack', 'benign']),
  goal: z.string().optional().default('none'),
  source: z.enum(['user', 'tool']),
  domain: z.string().optional(),
  text: z.string(),
});
export type BlindInjectionLine = z.infer<typeof BlindInjectionLine>;

/** Reads a JSONL file; a bad line is an error naming only its line number (its content stays unread by people). */
export function readJsonlFile<T>(path: string, schema: z.ZodType<T>): T[] {
  return parseJsonl(readFileSync(path, 'utf8'), schema, {
    notJson: (line) => new Error(`line ${line} of the file is not JSON`),
    badShape: (line, error) =>
      new Error(
        `line ${line} of the file does not have the expected shape (${error.issues.map((issue) => issue.path.join('.')).join(', ')})`,
      ),
  });
}

// --- PII ---------------------------------------------------------------------------------------------------------

/** What the model would see of a line, and the way back if there is one. */
export interface PiiContender {
  mask(text: string): string | Promise<string>;
  restore?: (masked: string) => Promise<string>;
}

export function loomPiiContender(conversation: string): PiiContender {
  const masker = new PiiMasker({ mode: 'pattern', vault: new MemoryTokenVault(), conversationId: conversation });
  return { mask: async (text) => (await masker.mask(text)).masked, restore: (masked) => masker.restore(masked) };
}

/** The masked text as a reader would decode it: URL-encoding, JSON escapes and HTML entities undone (best effort). */
function decodedViews(masked: string): string[] {
  const views = [masked];
  const percent = masked.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
  views.push(percent, percent.replace(/\+/g, ' '));
  views.push(
    masked
      .replace(/\\u([0-9A-Fa-f]{4})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/\\(["\\/])/g, '$1'),
  );
  views.push(decodeHtmlEntities(masked));
  return views;
}

const TOKEN = /\[\\*[A-Z][A-Z0-9_]*:\d{3,}\]/g;
const compact = (text: string): string =>
  text
    .replace(TOKEN, '|')
    .replace(/[^A-Za-z0-9@|]+/g, '')
    .toLowerCase();

/**
 * A secret leaks when the masked text still shows it: verbatim, in a decoded view of the masked text, or (for values
 * of 9+ letters/digits) with its separators changed, e.g. `4111.1111.1111.1111` for `4111 1111 1111 1111`.
 */
export function secretLeaked(masked: string, value: string, views = decodedViews(masked)): boolean {
  if (views.some((view) => view.includes(value))) return true;
  const bare = compact(value);
  return bare.replace(/[^a-z0-9]/g, '').length >= 9 && views.some((view) => compact(view).includes(bare));
}

export interface PiiScore {
  lines: number;
  secret_lines: number;
  secrets: number;
  leaked: number;
  /** Secret-bearing lines with at least one value left readable. */
  leaked_lines: number;
  lookalikes: number;
  destroyed: number;
  destroyed_pct: number;
  /** Lines whose restored text differs from the original (irreversible redactors: every line they changed). */
  restore_failures: number;
  leaked_by_type: Record<string, number>;
  secrets_by_type: Record<string, number>;
}

export async function scorePii(lines: readonly BlindPiiLine[], contender: PiiContender): Promise<PiiScore> {
  const score: PiiScore = {
    lines: lines.length,
    secret_lines: 0,
    secrets: 0,
    leaked: 0,
    leaked_lines: 0,
    lookalikes: 0,
    destroyed: 0,
    destroyed_pct: 0,
    restore_failures: 0,
    leaked_by_type: {},
    secrets_by_type: {},
  };
  for (const line of lines) {
    const masked = await contender.mask(line.text);
    const views = decodedViews(masked);
    let leakedHere = 0;
    for (const secret of line.secrets) {
      score.secrets++;
      score.secrets_by_type[secret.type] = (score.secrets_by_type[secret.type] ?? 0) + 1;
      if (secretLeaked(masked, secret.value, views)) {
        leakedHere++;
        score.leaked_by_type[secret.type] = (score.leaked_by_type[secret.type] ?? 0) + 1;
      }
    }
    if (line.secrets.length > 0) score.secret_lines++;
    if (leakedHere > 0) score.leaked_lines++;
    score.leaked += leakedHere;
    score.lookalikes += line.preserve.length;
    score.destroyed += line.preserve.filter((value) => !masked.includes(value)).length;
    const restored = contender.restore ? await contender.restore(masked) : masked;
    if (restored !== line.text) score.restore_failures++;
  }
  score.destroyed_pct = score.lookalikes === 0 ? 0 : round((100 * score.destroyed) / score.lookalikes, 2);
  return score;
}

// --- injection ---------------------------------------------------------------------------------------------------

/** A prompt-injection detector under test: true when it would flag the text. */
export type InjectionDetector = (text: string, source: SafetySource) => boolean | Promise<boolean>;

export const loomDetector: InjectionDetector = (text, source) => screenText(text, { source }).flagged;
/** Loom's rules without the learned model: what the model adds, measured on the same lines. */
export const loomRulesDetector: InjectionDetector = (text, source) => screenTextRulesOnly(text, { source }).flagged;

interface Rate {
  n: number;
  flagged: number;
  pct: number;
}

export interface InjectionScore {
  attacks: number;
  benign: number;
  detection_pct: number;
  false_positive_pct: number;
  by_source: Record<string, { detection: Rate; false_positives: Rate }>;
  detection_by_goal: Record<string, Rate>;
}

const rate = (n: number, flagged: number): Rate => ({ n, flagged, pct: n === 0 ? 0 : round((100 * flagged) / n, 1) });

export async function scoreInjection(
  lines: readonly BlindInjectionLine[],
  detector: InjectionDetector,
): Promise<InjectionScore> {
  const count = new Map<string, { n: number; flagged: number }>();
  const bump = (key: string, flagged: boolean): void => {
    const entry = count.get(key) ?? { n: 0, flagged: 0 };
    entry.n++;
    if (flagged) entry.flagged++;
    count.set(key, entry);
  };
  for (const line of lines) {
    const flagged = await detector(line.text, line.source);
    bump(line.label, flagged);
    bump(`${line.label}/${line.source}`, flagged);
    if (line.label === 'attack') bump(`goal/${line.goal}`, flagged);
  }
  const get = (key: string): Rate => {
    const entry = count.get(key) ?? { n: 0, flagged: 0 };
    return rate(entry.n, entry.flagged);
  };
  const goals = [...count.keys()].filter((key) => key.startsWith('goal/')).sort();
  return {
    attacks: get('attack').n,
    benign: get('benign').n,
    detection_pct: get('attack').pct,
    false_positive_pct: get('benign').pct,
    by_source: Object.fromEntries(
      (['user', 'tool'] as const).map((source) => [
        source,
        { detection: get(`attack/${source}`), false_positives: get(`benign/${source}`) },
      ]),
    ),
    detection_by_goal: Object.fromEntries(goals.map((key) => [key.slice(5), get(key)])),
  };
}

// --- peers -------------------------------------------------------------------------------------------------------

/**
 * The npm detectors users pick instead, with their documented entry points and defaults: `vard.safe` (moderate preset)
 * and `llm_guardrail.checkInjection` (its TF-IDF + logistic-regression model, shipped as JSON, runs offline).
 */
export async function peerDetectors(): Promise<Record<'vard' | 'llm_guardrail', InjectionDetector>> {
  const { default: vard } = await import('@andersmyrmel/vard');
  const guardrail = await import('llm_guardrail');
  return {
    vard: (text) => {
      try {
        return !vard.safe(text).safe;
      } catch {
        return true; // vard throws on input it refuses (e.g. over its length limit): a user would see a block
      }
    },
    llm_guardrail: async (text) => (await guardrail.checkInjection(text)).detected,
  };
}

// --- rounds shipped with the fixtures ----------------------------------------------------------------------------

const BLIND_FIXTURES = new URL('../../test/fixtures/blind/', import.meta.url);

/** Blind rounds committed under `test/fixtures/blind/round-*` (measured once, never tuned on). */
export function shippedBlindRounds(): Array<{ name: string; dir: string }> {
  const rounds: Array<{ name: string; dir: string }> = [];
  for (const name of ['round-a', 'round-b', 'round-c', 'round-d', 'round-e', 'round-f', 'round-g', 'round-h']) {
    const dir = new URL(`${name}/`, BLIND_FIXTURES).pathname;
    if (existsSync(join(dir, 'pii.jsonl')) || existsSync(join(dir, 'injection.jsonl'))) rounds.push({ name, dir });
  }
  return rounds;
}

export interface BlindRoundScore {
  round: string;
  pii?: { loom: PiiScore };
  injection?: { loom: InjectionScore; loom_rules: InjectionScore; vard: InjectionScore; llm_guardrail: InjectionScore };
}

/** Scores one round directory (`pii.jsonl`, `injection.jsonl`, either may be missing) with Loom and the peers. */
export async function scoreBlindRound(dir: string, name = dir): Promise<BlindRoundScore> {
  const out: BlindRoundScore = { round: name };
  const piiFile = join(dir, 'pii.jsonl');
  // A wrong path must not print an empty, successful score.
  if (!existsSync(piiFile) && !existsSync(join(dir, 'injection.jsonl')))
    throw new Error(`${name} holds neither pii.jsonl nor injection.jsonl: nothing to score`);
  if (existsSync(piiFile))
    out.pii = { loom: await scorePii(readJsonlFile(piiFile, BlindPiiLine), loomPiiContender(`blind-${name}`)) };
  const injectionFile = join(dir, 'injection.jsonl');
  if (existsSync(injectionFile)) {
    const lines = readJsonlFile(injectionFile, BlindInjectionLine);
    const peers = await peerDetectors();
    out.injection = {
      loom: await scoreInjection(lines, loomDetector),
      loom_rules: await scoreInjection(lines, loomRulesDetector),
      vard: await scoreInjection(lines, peers.vard),
      llm_guardrail: await scoreInjection(lines, peers.llm_guardrail),
    };
  }
  return out;
}
