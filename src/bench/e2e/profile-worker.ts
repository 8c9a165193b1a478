/**
 * Profiles one worker process under end-to-end load: `node --import tsx src/bench/e2e/profile-worker.ts <dir> [turns]`.
 * Writes the worker's V8 CPU profile (`--cpu-prof`) into `<dir>` and prints the heaviest functions and packages by
 * self time, and the worker's CPU per turn.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../../logger.ts';
import { Cluster } from './cluster.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) per key over the profile's samples. */
export function selfTimes(profile: CpuProfile, keyOf: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const key = keyOf(node);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return totals;
}

/** Where a frame's code lives: a package name, a source folder, or V8 itself. */
export function ownerOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  const src = /\/src\/([^/]+(?:\/[^/]+)?)\//.exec(url);
  return src ? `src/${src[1]}` : url.replace(/^.*\//, '');
}

function top(map: Map<string, number>, count: number): string[] {
  const total = [...map.values()].reduce((sum, value) => sum + value, 0);
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}`);
}

async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? 'worker-profile');
  const turns = Number(process.argv[3] ?? 1000);
  mkdirSync(dir, { recursive: true });
  const logger = createLogger({ level: 'warn', name: 'profile' });
  const cluster = await Cluster.start({
    mode: 'embedded',
    concurrency: 16,
    logger,
    workerExecArgv: ['--cpu-prof', '--cpu-prof-dir', dir],
  });
  try {
    await cluster.addWorker();
    await cluster.batch('tools0', 200, 24);
    const [before] = await cluster.stats();
    const { elapsedMs } = await cluster.batch('tools0', turns, 24);
    const [after] = await cluster.stats();
    process.stdout.write(
      `${turns} turns in ${elapsedMs.toFixed(0)} ms; worker CPU ${(((after?.cpuMs ?? 0) - (before?.cpuMs ?? 0)) / turns).toFixed(2)} ms/turn\n`,
    );
    const lat: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = await cluster.turn('tools0');
      lat.push((t.firstModelAt ?? 0) - t.publishedAt);
    }
    lat.sort((a, b) => a - b);
    process.stdout.write(`event→model p50 ${lat[25]?.toFixed(1)} ms, p90 ${lat[45]?.toFixed(1)} ms\n`);
  } finally {
    await cluster.close();
  }
  // tsx's loader thread writes its own small profile: the main thread's is the largest.
  const file = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
  if (!file) throw new Error('the worker wrote no profile');
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  process.stdout.write(
    `\nby package/folder (self time):\n${top(
      selfTimes(profile, (node) => ownerOf(node.callFrame.url)),
      25,
    ).join('\n')}\n`,
  );
  const fn = (node: ProfileNode): string =>
    `${node.callFrame.functionName || '(anonymous)'} ${ownerOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  process.stdout.write(`\nby function (self time):\n${top(selfTimes(profile, fn), 40).join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
