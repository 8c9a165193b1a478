import { z } from 'zod';

/** Messages the benchmark's child processes send to the parent over IPC; validated on receipt. */
export const EmulatorReady = z.strictObject({
  type: z.literal('emulator-ready'),
  url: z.url(),
  pubsubUrl: z.url(),
  consumerKey: z.string().min(1),
  privateKeyPem: z.string().min(1),
});
export type EmulatorReady = z.infer<typeof EmulatorReady>;

export const WorkerStats = z.strictObject({
  type: z.literal('stats'),
  pid: z.number().int(),
  cpuMs: z.number().nonnegative(),
  rssMb: z.number().nonnegative(),
  heapMb: z.number().nonnegative(),
  registryLoads: z.number().int().nonnegative(),
  describeFetches: z.number().int().nonnegative(),
  apiCalls: z.number().int().nonnegative(),
});
export type WorkerStats = z.infer<typeof WorkerStats>;

/** A turn job finished (its audit is written), with its first model request's time; epoch ms, sub-ms resolution. */
export const TurnDone = z.strictObject({
  turnId: z.string(),
  status: z.string(),
  apiCalls: z.number().int().nonnegative(),
  firstModelAt: z.number().nullable(),
  at: z.number(),
});
export type TurnDone = z.infer<typeof TurnDone>;

export const WorkerMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('worker-ready'), pid: z.number().int(), mode: z.enum(['embedded', 'scaled']) }),
  /** Turn jobs that finished since the last report, sent once per event-loop turn (one IPC write, not one per turn). */
  z.strictObject({ type: z.literal('done'), turns: z.array(TurnDone).min(1) }),
  WorkerStats,
]);
export type WorkerMessage = z.infer<typeof WorkerMessage>;

/** Parent → worker. */
export const WorkerCommand = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('stats'), gc: z.boolean() }),
  z.strictObject({ type: z.literal('stop') }),
]);
export type WorkerCommand = z.infer<typeof WorkerCommand>;

/** Wall-clock epoch milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const epochMs = (): number => performance.timeOrigin + performance.now();
