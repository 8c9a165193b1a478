import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm run lint:deps` (part of `npm run lint`) against a temporary copy of the tree: the copy as it is passes (its
 * known violations are baselined), and the same copy with new cycles and imports against the folder map fails.
 */
const repo = new URL('../../../', import.meta.url).pathname;
const copies: string[] = [];

function copyOfTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loom-depcruise-'));
  copies.push(dir);
  for (const entry of [
    'src',
    'tsconfig.json',
    'package.json',
    '.ci/dependency-cruiser.mjs',
    '.ci/depcruise-known-violations.json',
  ]) {
    cpSync(join(repo, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function lintDeps(dir: string): { status: number | null; output: string } {
  const run = spawnSync('npm', ['run', '--silent', 'lint:deps'], { cwd: dir, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe('npm run lint:deps', () => {
  it('passes on the tree as it is, with nothing baselined', () => {
    const result = lintDeps(copyOfTree());
    expect(result.output).toContain('no dependency violations found');
    expect(result.output).not.toMatch(/known violations ignored/);
    expect(result.status).toBe(0);
  }, 120_000);

  it('fails on a new cycle (type-only imports count) and on new imports against the folder map', () => {
    const dir = copyOfTree();
    const write = (path: string, text: string) => writeFileSync(join(dir, path), text);
    write('src/runtime/cycle-a.ts', "import type { B } from './cycle-b.ts';\nexport interface A { b?: B }\n");
    write('src/runtime/cycle-b.ts', "import type { A } from './cycle-a.ts';\nexport interface B { a?: A }\n");
    write('src/ops/uses-emulator.ts', "export { startEmulator } from '../emulator/index.ts';\n");
    write('src/emulator/uses-runtime.ts', "export type * from '../runtime/jobs.ts';\n");
    write('src/governance/uses-salesforce.ts', "export type * from '../salesforce/rest-client.ts';\n");
    // The baseline names edges, not rules: another runtime → hitl or demo → ops edge is new.
    write('src/runtime/uses-hitl.ts', "export type * from '../hitl/index.ts';\n");
    write('src/demo/uses-ops.ts', "export type * from '../ops/service.ts';\n");

    const result = lintDeps(dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/no-circular: src\/runtime\/cycle-[ab]\.ts/);
    expect(result.output).toContain('worker-never-imports-emulator: src/ops/uses-emulator.ts → src/emulator/index.ts');
    expect(result.output).toContain('emulator-stays-apart: src/emulator/uses-runtime.ts → src/runtime/jobs.ts');
    expect(result.output).toContain(
      'governance-is-pure: src/governance/uses-salesforce.ts → src/salesforce/rest-client.ts',
    );
    expect(result.output).toContain('runtime-uses-its-ports: src/runtime/uses-hitl.ts → src/hitl/index.ts');
    expect(result.output).toContain('demo-does-not-import-ops: src/demo/uses-ops.ts → src/ops/service.ts');
    // Nothing that was already known is reported again.
    expect(result.output).not.toContain('src/runtime/governed-loop.ts');
  }, 120_000);
});
