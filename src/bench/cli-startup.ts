import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './context.ts';
import { median, round } from './stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../src/bin/loom.js', import.meta.url));
const DESCRIBE = fileURLToPath(new URL('../../test/fixtures/describe/lending-officer.json', import.meta.url));

/** Wall seconds of one `loom` process from spawn to exit (the command's whole cost to a pipeline). */
function wallSeconds(args: string[], input: string, fromSource: boolean): number {
  const env = { ...process.env, LOOM_FROM_SOURCE: fromSource ? '1' : '0' };
  const started = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { input, env, cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`loom ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return seconds;
}

/**
 * `loom --version` and `loom soql-check` on one line, compiled (dist/, what `bin` runs after `npm ci`) and through tsx
 * (what every command cost before the build), median wall time of a few runs each.
 */
export const cliStartupBenchmark: Benchmark<'cli_startup'> = {
  name: 'cli_startup',
  title: 'CLI start-up: loom --version and loom soql-check on one line, compiled build vs tsx (wall seconds)',
  async run({ sizes, progress }) {
    if (!existsSync(new URL('../../dist/.build-stamp', import.meta.url))) {
      progress('building dist/ (npm run build)');
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
    }
    const runs = Math.max(3, sizes.rounds);
    const measure = (args: string[], input: string, fromSource: boolean): number => {
      wallSeconds(args, input, fromSource); // warm the file cache
      return median(Array.from({ length: runs }, () => wallSeconds(args, input, fromSource)));
    };
    const soql = ['soql-check', '--describe', DESCRIBE];
    const line = 'SELECT Id, Name FROM Account\n';
    progress('compiled');
    const version = measure(['--version'], '', false);
    const soqlCheck = measure(soql, line, false);
    progress('tsx');
    const versionTsx = measure(['--version'], '', true);
    const soqlCheckTsx = measure(soql, line, true);
    return {
      figures: {
        version_s: round(version, 3),
        version_tsx_s: round(versionTsx, 3),
        soql_check_s: round(soqlCheck, 3),
        soql_check_tsx_s: round(soqlCheckTsx, 3),
      },
      details: { runs },
    };
  },
};
