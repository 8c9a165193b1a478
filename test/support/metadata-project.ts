/** Throwaway SFDX source folders for metadata-loading tests: files are written with the XML prolog, removed afterwards. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** The Metadata API namespace attribute every root element carries. */
export const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';

/** Returns `project(files)`, which writes `files` (path → XML body) under a new temporary folder and returns it. */
export function metadataProjects(prefix: string): (files: Record<string, string>) => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (files) => {
    const root = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(root);
    for (const [file, body] of Object.entries(files)) {
      const full = path.join(root, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, `<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
    }
    return root;
  };
}
