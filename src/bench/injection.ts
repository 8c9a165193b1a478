import { screenText } from '../governance/injection/index.ts';
import type { Benchmark } from './context.ts';
import { loadInjectionCorpus, type InjectionEntry } from './corpora.ts';
import { median, ratePerSecond, round } from './stats.ts';

interface Rates {
  detection_rate: number;
  false_positive_rate: number;
}

/** Detection rate over attacks and false-positive rate over benign lines, each screened with its own source. */
export function injectionRates(entries: InjectionEntry[], threshold?: number): Rates & { attacks: number; benign: number } {
  let attacks = 0;
  let detected = 0;
  let benign = 0;
  let falsePositives = 0;
  for (const entry of entries) {
    const { flagged } = screenText(entry.text, { source: entry.source, ...(threshold === undefined ? {} : { threshold }) });
    if (entry.label === 'attack') {
      attacks++;
      if (flagged) detected++;
    } else {
      benign++;
      if (flagged) falsePositives++;
    }
  }
  return {
    detection_rate: attacks === 0 ? 0 : detected / attacks,
    false_positive_rate: benign === 0 ? 0 : falsePositives / benign,
    attacks,
    benign,
  };
}

export const injectionBenchmark: Benchmark<'injection'> = {
  name: 'injection',
  title: 'Prompt-injection screening: detection and false-positive rates on the labelled corpus (direct and indirect)',
  async run({ sizes, progress }) {
    const corpus = loadInjectionCorpus();
    progress('screening the corpus');
    const all = injectionRates(corpus);
    const details: Record<string, number> = { lines: corpus.length, attacks: all.attacks, benign: all.benign };
    // Splits and sources separately: `dev` lines shaped the rules; `heldout` and `blind` lines did not.
    for (const split of [...new Set(corpus.map((entry) => entry.split))].sort()) {
      const rates = injectionRates(corpus.filter((entry) => entry.split === split));
      details[`${split}_detection_pct`] = round(100 * rates.detection_rate);
      details[`${split}_false_positive_pct`] = round(100 * rates.false_positive_rate);
    }
    for (const source of ['user', 'tool'] as const) {
      const rates = injectionRates(corpus.filter((entry) => entry.source === source));
      details[`${source}_detection_pct`] = round(100 * rates.detection_rate);
    }
    progress('screening speed');
    const samples: number[] = [];
    for (let r = -1; r < sizes.rounds; r++) {
      const rate = await ratePerSecond(corpus.length, sizes.roundMs, () => {
        for (const entry of corpus) screenText(entry.text, { source: entry.source });
      });
      if (r >= 0) samples.push(rate);
    }
    details.lines_per_sec = Math.round(median(samples));
    return {
      figures: { detection_rate: round(all.detection_rate, 4), false_positive_rate: round(all.false_positive_rate, 4) },
      details,
    };
  },
};
