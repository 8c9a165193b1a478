#!/usr/bin/env node
// The `loom` command. Runs the build in dist/ (`npm run build`, also run by `npm ci` through `prepare`) when it is
// newer than every source file; otherwise the TypeScript sources through tsx, so an edit is never masked by a stale build.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const built = new URL('dist/cli/main.js', root);

/** Newest modification time under a folder (a few hundred stats: about a millisecond). */
function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) max = Math.max(max, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return max;
}

function buildIsFresh() {
  if (process.env.LOOM_FROM_SOURCE === '1') return false;
  try {
    return statSync(new URL('dist/.build-stamp', root)).mtimeMs >= newest(new URL('src/', root));
  } catch {
    return false;
  }
}

if (buildIsFresh()) {
  const { main } = await import(built.href);
  await main();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/main.ts');
  await main();
}
