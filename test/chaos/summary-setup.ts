/**
 * Global setup of the chaos suite: names the results file every chaos test appends to, and prints the summary table
 * (faults injected, turns run, lost, duplicated, leaks found) once all files have run.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readChaosResults, summaryTable } from '../support/chaos/results.ts';

export default function setup(): () => void {
  const file = join(tmpdir(), `loom-chaos-results-${process.pid}-${Date.now()}.jsonl`);
  process.env.LOOM_CHAOS_RESULTS = file;
  return () => {
    const results = readChaosResults(file);
    // The one console output of the suite: the closing summary.
    process.stdout.write(
      `\n${results.length > 0 ? summaryTable(results) : 'Loom chaos summary: no chaos test recorded a result'}\n\n`,
    );
    rmSync(file, { force: true });
  };
}
