/**
 * A task the service runs on an interval and on demand (the approval sweeper, the turn reconciler): at most one run at
 * a time (a second request shares the running one), only while `shouldRun` holds (the process holding the
 * subscription), and a failing run is reported to `onError` and retried at the next tick; it never throws.
 */
export interface PeriodicTaskOptions<T> {
  intervalMs: number;
  shouldRun: () => boolean;
  /** One run; `signal` aborts when the task stops. */
  run: (reason: string, signal: AbortSignal) => Promise<T>;
  onError: (err: unknown, reason: string) => void;
}

export interface PeriodicTask<T> {
  /** One run now (shares a running one); undefined when this process does not run the task or the run failed. */
  runOnce(reason: string): Promise<T | undefined>;
  /** Stops the interval, aborts the running run and waits for it. */
  stop(): Promise<void>;
}

export function startPeriodicTask<T>(options: PeriodicTaskOptions<T>): PeriodicTask<T> {
  const abort = new AbortController();
  let running: Promise<T | undefined> | undefined;
  const runOnce = (reason: string): Promise<T | undefined> => {
    if (running) return running;
    if (abort.signal.aborted || !options.shouldRun()) return Promise.resolve(undefined);
    running = options
      .run(reason, abort.signal)
      .catch((err: unknown) => {
        options.onError(err, reason);
        return undefined;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void runOnce('interval'), options.intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}
