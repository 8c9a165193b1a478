import { z } from 'zod';

/** A measured figure: finite (never NaN or Infinity, which would mean nothing was measured) and not negative. */
const figure = z.number().finite().nonnegative();
/** Growth can shrink (garbage collected between the two readings), so it may be negative. */
const signedFigure = z.number().finite();

const PiiFigures = z.strictObject({
  lines_per_sec: figure,
  leaked: figure,
  destroyed: figure,
  restore_failures: figure,
});

const InjectionRates = z.strictObject({ detection_rate: figure, false_positive_rate: figure });

/** The `--json` file: one section per benchmark, keys exactly as the issue specifies. */
export const BenchFigures = z.strictObject({
  cli_startup: z.strictObject({
    version_s: figure,
    version_tsx_s: figure,
    soql_check_s: figure,
    soql_check_tsx_s: figure,
  }),
  soql_guard: z.strictObject({
    checks_per_sec: figure,
    baseline_checks_per_sec: figure,
    leaks: figure,
    false_blocks: figure,
    baseline_leaks: figure,
    baseline_false_blocks: figure,
  }),
  /** Top-level quality figures are the newest blind round's when one ships (else the dev corpus'); `dev` is the corpus. */
  pii_mask: z.strictObject({
    ...PiiFigures.shape,
    dev: PiiFigures.omit({ lines_per_sec: true }),
    redact_pii: PiiFigures,
    redactpii_node: PiiFigures,
  }),
  /** Rates on the newest blind round when one ships (else the corpus), per source, with the npm peers on the same lines. */
  injection: z.strictObject({
    ...InjectionRates.shape,
    user: InjectionRates,
    tool: InjectionRates,
    dev: InjectionRates,
    vard: z.strictObject({ ...InjectionRates.shape, user: InjectionRates, tool: InjectionRates }),
    llm_guardrail: z.strictObject({ ...InjectionRates.shape, user: InjectionRates, tool: InjectionRates }),
  }),
  governance_overhead: z.strictObject({ p50_us: figure, p99_us: figure }),
  api_calls_per_turn: z.strictObject({
    tools_0: figure,
    tools_1: figure,
    tools_3: figure,
    cold_tools_1: figure,
    naive_tools_1: figure,
  }),
  throughput: z.strictObject({
    embedded_turns_per_sec: figure,
    scaled_1_turns_per_sec: figure,
    scaled_2_turns_per_sec: figure,
    worker_cpu_ms_per_turn: figure,
    event_to_llm_p50_ms: figure,
    event_to_llm_p99_ms: figure,
    pubsub_embedded_turns_per_sec: figure,
    pubsub_event_to_llm_p50_ms: figure,
    pubsub_event_to_llm_p99_ms: figure,
  }),
  memory: z.strictObject({
    rss_mb_after_10k: figure,
    growth_pct_1k_to_10k: signedFigure,
    rss_mb_per_1k_pending: signedFigure,
  }),
});
export type BenchFigures = z.infer<typeof BenchFigures>;
export type BenchName = keyof BenchFigures;
export const BENCH_NAMES = Object.keys(BenchFigures.shape) as BenchName[];

/** Secondary figures (cold/warm split, totals, sizes) shown in the table and kept under `meta` in the JSON. */
export type Details = Record<string, number | string>;

export const BenchReport = BenchFigures.partial().extend({
  meta: z.strictObject({
    profile: z.string(),
    started_at: z.string(),
    duration_sec: figure,
    node: z.string(),
    cpus: z.number().int().positive(),
    details: z.record(z.string(), z.record(z.string(), z.union([z.number().finite(), z.string()]))),
  }),
});
export type BenchReport = z.infer<typeof BenchReport>;

/** Validates a report before it is written: a missing or non-numeric figure is an error, never a silent gap. */
export function validateReport(report: unknown): BenchReport {
  const parsed = BenchReport.safeParse(report);
  if (!parsed.success) throw new Error(`benchmark report is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
