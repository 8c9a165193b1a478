import { Redactor } from '@redactpii/node';
import { SyncRedactor } from 'redact-pii';
import { MemoryTokenVault, PiiMasker } from '../governance/pii/index.ts';
import type { Benchmark } from './context.ts';
import { loadPiiCorpus, type PiiEntry } from './corpora.ts';
import { median, ratePerSecond, round } from './stats.ts';

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

function loomMasker(conversation: string): PiiMasker {
  return new PiiMasker({ mode: 'pattern', vault: new MemoryTokenVault(), conversationId: conversation });
}

function loom(conversation: string): Contender {
  const masker = loomMasker(conversation);
  return { mask: async (text) => (await masker.mask(text)).masked, restore: (masked) => masker.restore(masked) };
}

/**
 * leaked: secret values still present after masking; destroyed: look-alikes (IDs, amounts, dates...) that did not
 * survive; restore failures: lines whose restored text differs from the original. Redactors without a way back count
 * every line they changed as a restore failure.
 */
export async function measureQuality(corpus: PiiEntry[], contender: Contender): Promise<Quality> {
  const quality: Quality = { leaked: 0, destroyed: 0, restore_failures: 0 };
  for (const entry of corpus) {
    const masked = await contender.mask(entry.text);
    quality.leaked += entry.secrets.filter((secret) => masked.includes(secret.value)).length;
    quality.destroyed += entry.preserve.filter((value) => !masked.includes(value)).length;
    const restored = contender.restore ? await contender.restore(masked) : masked;
    if (restored !== entry.text) quality.restore_failures++;
  }
  return quality;
}

async function linesPerSecond(corpus: PiiEntry[], rounds: number, budgetMs: number, make: (round: number) => Contender): Promise<number> {
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
    progress('Loom masker speed');
    // Each round is a new conversation: tokens are created, stored in the vault and reused within the round.
    const loomRate = await linesPerSecond(corpus, sizes.rounds, sizes.roundMs, contenders.loom);
    progress('redact-pii speed');
    const redactPiiRate = await linesPerSecond(corpus, sizes.rounds, sizes.roundMs, contenders.redact_pii);
    progress('@redactpii/node speed');
    const redactpiiNodeRate = await linesPerSecond(corpus, sizes.rounds, sizes.roundMs, contenders.redactpii_node);
    const lookalikes = corpus.reduce((sum, entry) => sum + entry.preserve.length, 0);
    return {
      figures: {
        lines_per_sec: Math.round(loomRate),
        ...quality.loom,
        redact_pii: { lines_per_sec: Math.round(redactPiiRate), ...quality.redact_pii },
        redactpii_node: { lines_per_sec: Math.round(redactpiiNodeRate), ...quality.redactpii_node },
      },
      details: {
        lines: corpus.length,
        secrets: corpus.reduce((sum, entry) => sum + entry.secrets.length, 0),
        lookalikes,
        destroyed_pct: round((100 * quality.loom.destroyed) / Math.max(1, lookalikes), 2),
        speedup_vs_redact_pii: round(loomRate / redactPiiRate, 2),
      },
    };
  },
};
