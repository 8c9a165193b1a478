/**
 * Pub/Sub flow control end to end: the worker asks the org for no more events than its window (free slots), so a
 * stalled handler leaves the rest on the org's side instead of in the worker's memory, and nothing is lost once it
 * frees up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingHandler, startHarness, until, type Harness } from './ingestion-harness.ts';

let h: Harness;

beforeAll(async () => {
  process.env.LOOM_TEST_EVENT_API = 'pubsub';
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  delete process.env.LOOM_TEST_EVENT_API;
});

describe('Pub/Sub flow control', () => {
  it('never has more events delivered and unfinished than the window, and runs every event once the handler frees up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handler = recordingHandler(async () => {
      await gate;
      return undefined;
    });
    const runtime = h.runtime({ handler, env: { LOOM_CONCURRENCY: '1', LOOM_PUBSUB_WINDOW: '3' } });
    await runtime.start();
    const uuids: string[] = [];
    for (let i = 0; i < 10; i++) uuids.push(await h.publishTurn());

    const turnStream = () => h.emulator.pubsubStreams().find((s) => s.topic === '/event/AgentTurnRequest__e');
    await until(() => (turnStream()?.delivered ?? 0) >= 3 && turnStream(), 'three deliveries');
    // Two more keepalives prove the server went on serving the stream while the handler stayed blocked.
    const keepAlives = turnStream()?.keepAlives ?? 0;
    await until(() => (turnStream()?.keepAlives ?? 0) >= keepAlives + 2, 'two keepalives', 30_000);
    expect(turnStream()).toMatchObject({ delivered: 3, waiting: 7 });
    expect(turnStream()?.requested).toBeLessThanOrEqual(3);
    expect(handler.running).toBe(1);

    release();
    await until(() => handler.jobs.length === 10, 'every turn to run', 30_000);
    expect(new Set(handler.jobs.map((job) => (job.kind === 'sweep' ? '' : job.eventUuid)))).toEqual(new Set(uuids));
    expect(turnStream()?.delivered).toBe(10);
    await runtime.close();
  });
});
