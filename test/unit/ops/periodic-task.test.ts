import { describe, expect, it } from 'vitest';
import { startPeriodicTask } from '../../../src/ops/periodic-task.ts';

/** The interval never fires in these tests: every run is started by `runOnce`. */
const NEVER = 24 * 60 * 60 * 1000;

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('startPeriodicTask', () => {
  it('runs one at a time: a second request shares the running run', async () => {
    const gate = deferred<number>();
    let runs = 0;
    const task = startPeriodicTask({
      intervalMs: NEVER,
      shouldRun: () => true,
      run: () => (runs++, gate.promise),
      onError: () => {},
    });
    const first = task.runOnce('a');
    const second = task.runOnce('b');
    gate.resolve(7);
    expect(await first).toBe(7);
    expect(await second).toBe(7);
    expect(runs).toBe(1);
    await task.stop();
  });

  it('does not run while shouldRun is false', async () => {
    let runs = 0;
    const task = startPeriodicTask({
      intervalMs: NEVER,
      shouldRun: () => false,
      run: async () => ++runs,
      onError: () => {},
    });
    expect(await task.runOnce('manual')).toBeUndefined();
    expect(runs).toBe(0);
    await task.stop();
  });

  it('reports a failing run and resolves undefined; the next run goes ahead', async () => {
    const errors: Array<[unknown, string]> = [];
    let fail = true;
    const task = startPeriodicTask({
      intervalMs: NEVER,
      shouldRun: () => true,
      run: async () => {
        if (fail) throw new Error('boom');
        return 'ok';
      },
      onError: (err, reason) => errors.push([err, reason]),
    });
    expect(await task.runOnce('first')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toBe('first');
    fail = false;
    expect(await task.runOnce('second')).toBe('ok');
    await task.stop();
  });

  it('stop aborts the running run, waits for it, and refuses later runs', async () => {
    let seen: AbortSignal | undefined;
    let finished = false;
    const task = startPeriodicTask({
      intervalMs: NEVER,
      shouldRun: () => true,
      run: (_reason, signal) => {
        seen = signal;
        return new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => setImmediate(() => ((finished = true), resolve()))),
        );
      },
      onError: () => {},
    });
    void task.runOnce('manual');
    await task.stop();
    expect(seen?.aborted).toBe(true);
    expect(finished).toBe(true);
    expect(await task.runOnce('after stop')).toBeUndefined();
  });
});
