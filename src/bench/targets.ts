import type { BenchFigures, BenchName, Details } from './report.ts';

/** One target from the issue, checked against figures measured in the same run. */
export interface Target {
  bench: BenchName;
  label: string;
  /** Returns [measured, limit] for display, and whether the target is met. */
  check(figures: BenchFigures, details: Record<string, Details>): { met: boolean; measured: string; limit: string };
}

const fmt = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

export const TARGETS: Target[] = [
  {
    bench: 'cli_startup',
    label: 'loom --version (compiled)',
    check: (f) => ({
      met: f.cli_startup.version_s <= 0.3,
      measured: `${fmt(f.cli_startup.version_s, 2)} s (tsx ${fmt(f.cli_startup.version_tsx_s, 2)} s)`,
      limit: '≤ 0.3 s',
    }),
  },
  {
    bench: 'cli_startup',
    label: 'loom soql-check, one line (compiled)',
    check: (f) => ({
      met: f.cli_startup.soql_check_s <= 0.6,
      measured: `${fmt(f.cli_startup.soql_check_s, 2)} s (tsx ${fmt(f.cli_startup.soql_check_tsx_s, 2)} s)`,
      limit: '≤ 0.6 s',
    }),
  },
  {
    bench: 'soql_guard',
    label: 'no leaks',
    check: (f) => ({ met: f.soql_guard.leaks === 0, measured: fmt(f.soql_guard.leaks), limit: '0' }),
  },
  {
    bench: 'soql_guard',
    label: 'no false blocks',
    check: (f) => ({ met: f.soql_guard.false_blocks === 0, measured: fmt(f.soql_guard.false_blocks), limit: '0' }),
  },
  {
    bench: 'soql_guard',
    label: 'checks/s (mixed)',
    check: (f) => ({
      met: f.soql_guard.checks_per_sec >= 10_000,
      measured: fmt(f.soql_guard.checks_per_sec),
      limit: '≥ 10,000',
    }),
  },
  {
    bench: 'pii_mask',
    label: 'secrets leaked',
    check: (f) => ({ met: f.pii_mask.leaked === 0, measured: fmt(f.pii_mask.leaked), limit: '0' }),
  },
  {
    bench: 'pii_mask',
    label: 'look-alikes destroyed',
    check: (f, d) => {
      const total = Number(d.pii_mask?.headline_lookalikes ?? d.pii_mask?.lookalikes ?? 0);
      const pct = total > 0 ? (100 * f.pii_mask.destroyed) / total : 0;
      return { met: total > 0 && pct <= 1, measured: `${fmt(pct, 2)}%`, limit: '≤ 1%' };
    },
  },
  {
    bench: 'pii_mask',
    label: 'restore failures',
    check: (f) => ({ met: f.pii_mask.restore_failures === 0, measured: fmt(f.pii_mask.restore_failures), limit: '0' }),
  },
  {
    bench: 'pii_mask',
    label: 'speed vs redact-pii',
    check: (f) => {
      const ratio = f.pii_mask.lines_per_sec / Math.max(1, f.pii_mask.redact_pii.lines_per_sec);
      return { met: ratio >= 2, measured: `${fmt(ratio, 1)}×`, limit: '≥ 2×' };
    },
  },
  // Injection targets (issue 18) hold per source on the headline lines (the newest blind round when one ships).
  ...(['user', 'tool'] as const).flatMap((source): Target[] => [
    {
      bench: 'injection',
      label: `${source}: attacks detected`,
      check: (f) => ({
        met: f.injection[source].detection_rate >= 0.9,
        measured: `${fmt(100 * f.injection[source].detection_rate, 1)}%`,
        limit: '≥ 90%',
      }),
    },
    {
      bench: 'injection',
      label: `${source}: false positives`,
      check: (f) => ({
        met: f.injection[source].false_positive_rate <= 0.03,
        measured: `${fmt(100 * f.injection[source].false_positive_rate, 1)}%`,
        limit: '≤ 3%',
      }),
    },
  ]),
  {
    bench: 'injection',
    label: 'ahead of vard and llm_guardrail',
    check: (f) => {
      const i = f.injection;
      const peers = [i.vard, i.llm_guardrail];
      const met = peers.every(
        (peer) => i.detection_rate >= peer.detection_rate && i.false_positive_rate <= peer.false_positive_rate,
      );
      const measured = `${fmt(100 * i.detection_rate, 1)}% / ${fmt(100 * i.false_positive_rate, 1)}% vs ${peers.map((p) => `${fmt(100 * p.detection_rate, 1)}% / ${fmt(100 * p.false_positive_rate, 1)}%`).join(', ')}`;
      return { met, measured, limit: 'detection ≥, FP ≤ both' };
    },
  },
  {
    bench: 'governance_overhead',
    label: 'p99 per turn',
    check: (f) => ({
      met: f.governance_overhead.p99_us < 1000,
      measured: `${fmt(f.governance_overhead.p99_us)} µs`,
      limit: '< 1,000 µs',
    }),
  },
  {
    bench: 'api_calls_per_turn',
    label: 'steady: 1 + tools',
    check: (f) => {
      const a = f.api_calls_per_turn;
      return {
        met: a.tools_0 <= 1 && a.tools_1 <= 2 && a.tools_3 <= 4,
        measured: `${fmt(a.tools_0, 2)} / ${fmt(a.tools_1, 2)} / ${fmt(a.tools_3, 2)}`,
        limit: '≤ 1 / 2 / 4',
      };
    },
  },
  {
    bench: 'api_calls_per_turn',
    label: 'describe/config calls warm',
    check: (_f, d) => {
      const warm = Number(d.api_calls_per_turn?.warm_describe_config_calls ?? Number.NaN);
      return { met: warm === 0, measured: Number.isNaN(warm) ? '?' : fmt(warm), limit: '0' };
    },
  },
  {
    bench: 'throughput',
    label: 'worker CPU per turn',
    check: (f) => ({
      met: f.throughput.worker_cpu_ms_per_turn < 2,
      measured: `${fmt(f.throughput.worker_cpu_ms_per_turn, 2)} ms`,
      limit: '< 2 ms',
    }),
  },
  {
    bench: 'throughput',
    label: 'event→model p50',
    check: (f) => ({
      met: f.throughput.event_to_llm_p50_ms < 20,
      measured: `${fmt(f.throughput.event_to_llm_p50_ms, 1)} ms`,
      limit: '< 20 ms',
    }),
  },
  {
    bench: 'throughput',
    label: '2 workers vs 1',
    check: (f) => {
      const ratio = f.throughput.scaled_2_turns_per_sec / Math.max(1e-9, f.throughput.scaled_1_turns_per_sec);
      return { met: ratio >= 1.6, measured: `${fmt(ratio, 2)}×`, limit: '≥ 1.6×' };
    },
  },
  {
    bench: 'memory',
    label: 'RSS growth 1k→10k',
    check: (f) => ({
      met: f.memory.growth_pct_1k_to_10k < 10,
      measured: `${fmt(f.memory.growth_pct_1k_to_10k, 1)}%`,
      limit: '< 10%',
    }),
  },
  // A per-hit cost that rescans the whole text makes the time grow with the square of its length; growth 1 is linear.
  ...(['pii_mask', 'injection'] as const).map((bench): Target => ({
    bench,
    label: 'cost grows linearly with text length (dense text, 4× longer)',
    check: (_figures, details) => {
      const factor = Number(details[bench]?.long_text_growth ?? Number.NaN);
      return { met: factor <= 2, measured: `growth ${fmt(factor, 2)}`, limit: '≤ 2' };
    },
  })),
];
