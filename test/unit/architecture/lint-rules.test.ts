/**
 * `npm run lint` refuses what issue 23 named: a function in src/ longer than 80 lines (blank lines and comments aside)
 * and a file prettier would format differently. Linted through the project's own configurations, in memory.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function functionOf(statements: number): string {
  const body = Array.from({ length: statements }, (_, i) => `  total += ${i};`).join('\n');
  return `export function sum(): number {\n  let total = 0;\n${body}\n  return total;\n}\n`;
}

async function maxLinesErrors(text: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root, overrideConfigFile: `${root}.ci/eslint.config.js` });
  const [result] = await eslint.lintText(text, { filePath: `${root}src/runtime/example.ts` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'max-lines-per-function').map((m) => m.message);
}

describe('lint rules of the code shape', () => {
  it('refuses a function over 80 lines in src/ and accepts one of 80 or fewer', async () => {
    expect(await maxLinesErrors(functionOf(90))).toEqual([expect.stringMatching(/too many lines \(9[0-9]\)/)]);
    expect(await maxLinesErrors(functionOf(75))).toEqual([]);
  }, 60_000);

  it('does not count comments and blank lines', async () => {
    const padded = functionOf(70).replace(/\n {2}total \+= 0;/, '\n  // why\n\n'.repeat(20) + '  total += 0;');
    expect(await maxLinesErrors(padded)).toEqual([]);
  }, 60_000);

  it('prettier --check refuses an unformatted file under the project options', async () => {
    const options = (await prettier.resolveConfig(`${root}src/runtime/example.ts`)) ?? {};
    const filepath = `${root}src/runtime/example.ts`;
    expect(await prettier.check('export const a = {b:1}\n', { ...options, filepath })).toBe(false);
    expect(await prettier.check('export const a = { b: 1 };\n', { ...options, filepath })).toBe(true);
  });
});
