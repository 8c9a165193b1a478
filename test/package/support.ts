/** Shared paths and fixture helpers for the package checks. */
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const FORCE_APP = join(REPO, 'force-app');

const created: string[] = [];
// Registered by every test file that imports this module: its throwaway directories go when the file is done.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway directory holding the given files (relative path -> content), removed after the test file. */
export function fixtureDir(files: Record<string, string>, prefix = 'loom-pkg-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** A temp SFDX workspace: a copy of the real project plus extra files. */
export function workspaceCopy(extra: Record<string, string>): string {
  const dir = fixtureDir(extra, 'loom-ws-');
  cpSync(join(REPO, 'sfdx-project.json'), join(dir, 'sfdx-project.json'));
  cpSync(FORCE_APP, join(dir, 'force-app'), { recursive: true });
  for (const [path, content] of Object.entries(extra)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

export const CLASS_META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n';
