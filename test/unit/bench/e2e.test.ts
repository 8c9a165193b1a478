import { describe, expect, it } from 'vitest';
import { BenchReport } from '../../../src/bench/report.ts';
import { runBench } from '../../../src/bench/run.ts';

// The end-to-end benchmarks start the emulator, workers and redis-server as child processes; tiny sizes keep it short.
describe('end-to-end benchmarks (smoke sizes)', () => {
  it('measure API calls, throughput and memory through real processes and report numbers in the documented shape', async () => {
    const report = await runBench({ profile: 'smoke', only: ['api_calls_per_turn', 'throughput', 'memory'] });
    expect(BenchReport.parse(report)).toEqual(report);
    const api = report.api_calls_per_turn;
    const throughput = report.throughput;
    const memory = report.memory;
    if (!api || !throughput || !memory) throw new Error('a section is missing');
    // Every turn costs at least its audit write; tools add calls; the cold turn adds logins' describes and config.
    expect(api.tools_0).toBeGreaterThanOrEqual(1);
    expect(api.tools_3).toBeGreaterThan(api.tools_0);
    expect(api.cold_tools_1).toBeGreaterThan(api.tools_1);
    expect(api.naive_tools_1).toBeGreaterThan(api.tools_1);
    expect(report.meta.details.api_calls_per_turn?.warm_describe_config_calls).toBe(0);
    for (const value of [
      throughput.embedded_turns_per_sec,
      throughput.scaled_1_turns_per_sec,
      throughput.scaled_2_turns_per_sec,
      throughput.worker_cpu_ms_per_turn,
    ]) {
      expect(value).toBeGreaterThan(0);
    }
    expect(throughput.event_to_llm_p99_ms).toBeGreaterThanOrEqual(throughput.event_to_llm_p50_ms);
    // The same figures with the worker on the Pub/Sub API, measured in the same run.
    expect(throughput.pubsub_embedded_turns_per_sec).toBeGreaterThan(0);
    expect(throughput.pubsub_event_to_llm_p99_ms).toBeGreaterThanOrEqual(throughput.pubsub_event_to_llm_p50_ms);
    expect(memory.rss_mb_after_10k).toBeGreaterThan(10);
    expect(report.meta.details.memory?.last_reading_turns).toBe(8);
  }, 180_000);
});
