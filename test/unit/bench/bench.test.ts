import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchReport } from '../../../src/bench/report.ts';
import { runBench } from '../../../src/bench/run.ts';
import { mixedStream } from '../../../src/bench/soql-guard.ts';
import { loadSoqlCorpus } from '../../../src/bench/corpora.ts';
import { median, percentile } from '../../../src/bench/stats.ts';
import { missedTargets, renderTable } from '../../../src/bench/table.ts';
import type { ProgressSink } from '../../../src/bench/progress.ts';
import { captureCli } from '../../support/cli.ts';

function collectingProgress(): ProgressSink & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    begin: (name) => events.push(`begin ${name}`),
    update: (detail) => events.push(`update ${detail}`),
    end: (name) => events.push(`end ${name}`),
  };
}

describe('benchmark suite (smoke sizes)', () => {
  it('runs the in-process benchmarks and returns measured figures in the documented shape', async () => {
    const progress = collectingProgress();
    const report = await runBench({
      profile: 'smoke',
      only: ['soql_guard', 'pii_mask', 'injection', 'governance_overhead'],
      progress,
    });
    expect(BenchReport.parse(report)).toEqual(report);
    expect(Object.keys(report.soql_guard ?? {}).sort()).toEqual(
      [
        'baseline_checks_per_sec',
        'baseline_false_blocks',
        'baseline_leaks',
        'checks_per_sec',
        'false_blocks',
        'leaks',
      ].sort(),
    );
    // Rates are measured, so they are positive; counts come from the labelled corpora.
    expect(report.soql_guard?.checks_per_sec).toBeGreaterThan(0);
    expect(report.soql_guard?.baseline_checks_per_sec).toBeGreaterThan(0);
    expect(report.soql_guard?.leaks).toBe(0);
    expect(report.soql_guard?.baseline_leaks).toBeGreaterThan(0);
    expect(report.pii_mask?.lines_per_sec).toBeGreaterThan(0);
    expect(report.pii_mask?.redact_pii.lines_per_sec).toBeGreaterThan(0);
    expect(report.pii_mask?.redactpii_node.lines_per_sec).toBeGreaterThan(0);
    // Irreversible redactors cannot restore what they changed.
    expect(report.pii_mask?.redact_pii.restore_failures).toBeGreaterThan(0);
    expect(report.injection?.detection_rate).toBeGreaterThan(0);
    expect(report.injection?.detection_rate).toBeLessThanOrEqual(1);
    expect(report.governance_overhead?.p50_us).toBeGreaterThan(0);
    expect(report.governance_overhead?.p99_us).toBeGreaterThanOrEqual(report.governance_overhead?.p50_us ?? Infinity);
    expect(report.meta.details.soql_guard?.distinct_queries).toBe(loadSoqlCorpus().length);
    expect(progress.events).toContain('begin soql_guard');
    expect(progress.events).toContain('end governance_overhead');

    const table = renderTable(report, false);
    expect(table).toContain('soql_guard: no leaks');
    expect(table).toMatch(/checks_per_sec\s+[\d,]+/);
    expect(Array.isArray(missedTargets(report))).toBe(true);
    // Every blind round is scored with three detectors besides Loom's: minutes on a busy machine, not a speed check.
  }, 180_000);

  it('refuses unknown benchmark names', async () => {
    await expect(runBench({ profile: 'smoke', only: ['nope' as 'soql_guard'] })).rejects.toThrow(/unknown benchmark/);
  });

  it('rejects a report with a figure that was not measured', () => {
    const bad = {
      soql_guard: { checks_per_sec: Number.NaN },
      meta: { profile: 'x', started_at: '', duration_sec: 0, node: '', cpus: 1, details: {} },
    };
    expect(BenchReport.safeParse(bad).success).toBe(false);
  });
});

describe('loom bench --output', () => {
  it('writes the measured figures to the named file (creating its folder) and says where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-bench-json-'));
    try {
      const file = join(dir, 'out', 'bench.json');
      const { code, stdout } = await captureCli(['bench', '--quick', '--only', 'injection', '--output', file]);
      expect(code, stdout).toBe(0);
      expect(stdout).toContain(`figures written to ${file}`);
      const written = BenchReport.parse(JSON.parse(readFileSync(file, 'utf8')));
      // Only what was asked for, measured: the injection rates (headline on the newest blind round, the labelled corpus
      // beside it, the npm peers on the same lines), and the run's metadata.
      expect(Object.keys(written).sort()).toEqual(['injection', 'meta']);
      expect(written.injection?.dev.detection_rate).toBeGreaterThan(0.5);
      expect(written.injection?.detection_rate).toBeGreaterThan(0);
      expect(written.injection?.vard.user.detection_rate).toBeGreaterThanOrEqual(0);
      expect(written.meta).toMatchObject({ profile: 'quick', cpus: expect.any(Number) });
      expect(written.meta.details.injection?.lines).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('benchmark helpers', () => {
  it('mixed SOQL stream holds every distinct query and the stated share of repeats', () => {
    const corpus = loadSoqlCorpus();
    const stream = mixedStream(corpus, 5);
    expect(stream).toHaveLength(corpus.length * 5);
    expect(new Set(stream.map((entry) => entry.id)).size).toBe(corpus.length);
    expect(mixedStream(corpus, 5).map((entry) => entry.id)).toEqual(stream.map((entry) => entry.id));
  });

  it('median and nearest-rank percentile', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(() => median([])).toThrow();
  });
});
