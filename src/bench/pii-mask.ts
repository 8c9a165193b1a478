import { existsSync } from 'node:fs';
import { Redactor } from '@redactpii/node';
import { SyncRedactor } from 'redact-pii';
import { MemoryTokenVault, PiiMasker } from '../governance/pii/index.ts';
import { BlindPiiLine, readJsonlFile, scorePii, shippedBlindRounds } from './blind.ts';
import type { Benchmark } from './context.ts';
import { loadPiiCorpus, type PiiEntry } from './corpora.ts';
import { longTextDetails, median, ratePerSecond, round } from './stats.ts';

interface Quality {
  leaked: number;
  destroyed: number;
  restore_failures: number;
}

/** One implementation under test: `mask` turns a line into what the model would see, `restore` undoes it if it can. */
interface Contender {
  mask(text: string): string | Promise<string>;
  restore?: (masked: string) => Promise<string>;
}

/** Text dense with candidate values and the labels and look-alikes the detectors read around them. */
const DENSE_TEXT = [
  'Call +44 20 7946 0958 or mail ann.lee@example.org, born 14/03/1985. ',
  'Order 4111-1111-1111-1112, ticket 0612-3456-78, IP 10.0.0.12, version 10.4.2.1. ',
  'DOB: 1987-04-12; tel. 030 1234567; SSN 078-05-1120; IBAN DE89 3704 0044 0532 0130 00.\n',
  'Kunde geb. am 3. Mai 1991, Tel. +49 (0)30 901820; Rechnung vom 02.01.2024.\n',
].join('');

function loomMasker(conversation: string): PiiMasker {
  return new PiiMasker({ mode: 'pattern', vault: new MemoryTokenVault(), conversationId: conversation });
}

function loom(conversation: string): Contender {
  const masker = loomMasker(conversation);
  return { mask: async (text) => (await masker.mask(text)).masked, restore: (masked) => masker.restore(masked) };
}

/**
 * leaked: secret values still readable after masking (verbatim, decoded, or with their separators changed; see
 * `secretLeaked`); destroyed: look-alikes (IDs, amounts, dates...) that did not survive; restore failures: lines whose
 * restored text differs from the original. Redactors without a way back count every line they changed as a restore
 * failure.
 */
export async function measureQuality(corpus: PiiEntry[], contender: Contender): Promise<Quality> {
  const score = await scorePii(
    corpus.map((entry) => ({
      id: entry.id,
      label: entry.label,
      text: entry.text,
      secrets: entry.secrets,
      preserve: entry.preserve,
    })),
    contender,
  );
  return { leaked: score.leaked, destroyed: score.destroyed, restore_failures: score.restore_failures };
}

async function linesPerSecond(
  corpus: PiiEntry[],
  rounds: number,
  budgetMs: number,
  make: (round: number) => Contender,
): Promise<number> {
  const samples: number[] = [];
  for (let r = -1; r < rounds; r++) {
    const contender = make(r);
    const rate = await ratePerSecond(corpus.length, budgetMs, async () => {
      for (const entry of corpus) {
        const out = contender.mask(entry.text);
        if (out instanceof Promise) await out;
      }
    });
    if (r >= 0) samples.push(rate);
  }
  return median(samples);
}

export const piiMaskBenchmark: Benchmark<'pii_mask'> = {
  name: 'pii_mask',
  title: 'PII masking: lines per second and detection quality, against redact-pii and @redactpii/node',
  async run({ sizes, progress }) {
    const corpus = loadPiiCorpus();
    const redactPii = new SyncRedactor();
    const redactpiiNode = new Redactor();
    const contenders = {
      loom: (r: number): Contender => loom(`bench-${r}`),
      redact_pii: (): Contender => ({ mask: (text) => redactPii.redact(text) }),
      redactpii_node: (): Contender => ({ mask: (text) => redactpiiNode.redact(text) }),
    };
    progress('quality pass');
    const quality = {
      loom: await measureQuality(corpus, contenders.loom(0)),
      redact_pii: await measureQuality(corpus, contenders.redact_pii()),
      redactpii_node: await measureQuality(corpus, contenders.redactpii_node()),
    };
    // Blind rounds (written by someone who never saw the rules; measured once, never tuned on): the headline figures.
    const blind: Record<string, Quality & { lookalikes: number; secrets: number }> = {};
    for (const round of shippedBlindRounds()) {
      const file = `${round.dir}pii.jsonl`;
      if (!existsSync(file)) continue;
      progress(`blind ${round.name}`);
      const lines = readJsonlFile(file, BlindPiiLine);
      const score = await scorePii(lines, contenders.loom(-2));
      blind[round.name] = {
        leaked: score.leaked,
        destroyed: score.destroyed,
        restore_failures: score.restore_failures,
        lookalikes: score.lookalikes,
        secrets: score.secrets,
      };
    }
    progress('Loom masker speed');
    // Each round is a new conversation: tokens are created, stored in the vault and reused within the round.
    const loomRate = await linesPerSecond(corpus, sizes.rounds, sizes.roundMs, contenders.loom);
    progress('redact-pii speed');
    const redactPiiRate = await linesPerSecond(corpus, sizes.rounds, sizes.roundMs, contenders.redact_pii);
    progress('@redactpii/node speed');
    const redactpiiNodeRate = await linesPerSecond(corpus, sizes.rounds, sizes.roundMs, contenders.redactpii_node);
    progress('long texts');
    const long = await longTextDetails(DENSE_TEXT, sizes.longTextKb, (text) => loomMasker('long-text').mask(text));
    const lookalikes = corpus.reduce((sum, entry) => sum + entry.preserve.length, 0);
    const blindDetails: Record<string, number> = {};
    for (const [name, score] of Object.entries(blind)) {
      const key = name.replace('-', '_');
      blindDetails[`blind_${key}_secrets`] = score.secrets;
      blindDetails[`blind_${key}_leaked`] = score.leaked;
      blindDetails[`blind_${key}_lookalikes`] = score.lookalikes;
      blindDetails[`blind_${key}_destroyed`] = score.destroyed;
      blindDetails[`blind_${key}_restore_failures`] = score.restore_failures;
    }
    // The headline is the newest blind round when one ships; the dev corpus figures stay beside it.
    const headlineName = Object.keys(blind).sort().at(-1);
    const headline = headlineName === undefined ? undefined : blind[headlineName];
    return {
      figures: {
        lines_per_sec: Math.round(loomRate),
        ...(headline
          ? { leaked: headline.leaked, destroyed: headline.destroyed, restore_failures: headline.restore_failures }
          : quality.loom),
        dev: quality.loom,
        redact_pii: { lines_per_sec: Math.round(redactPiiRate), ...quality.redact_pii },
        redactpii_node: { lines_per_sec: Math.round(redactpiiNodeRate), ...quality.redactpii_node },
      },
      details: {
        headline: headlineName === undefined ? 'dev corpus' : `blind ${headlineName}`,
        lines: corpus.length,
        secrets: corpus.reduce((sum, entry) => sum + entry.secrets.length, 0),
        lookalikes,
        destroyed_pct: round((100 * quality.loom.destroyed) / Math.max(1, lookalikes), 2),
        ...(headline
          ? {
              headline_lookalikes: headline.lookalikes,
              headline_destroyed_pct: round((100 * headline.destroyed) / Math.max(1, headline.lookalikes), 2),
            }
          : {}),
        ...blindDetails,
        speedup_vs_redact_pii: round(loomRate / redactPiiRate, 2),
        ...long,
      },
    };
  },
};
