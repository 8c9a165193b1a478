/**
 * The folder map of `src/` (docs/architecture.md, "Folder map"), enforced by `npm run lint:deps`.
 *
 * Known violations from before this check existed live in `.ci/depcruise-known-violations.json`
 * (regenerate with `npm run lint:deps:baseline` only when you remove one); anything new fails lint.
 */

/** The worker's folders: everything that runs in production. */
const WORKER = '(runtime|hitl|governance|ingestion|queue|worker|ops|llm|salesforce)';
/** The worker's core: what a turn runs on, below the service (ops) and the entry points. */
const CORE = '(runtime|hitl|governance|ingestion|queue|worker|llm|salesforce)';
/** Shared floor every folder may import. */
const FLOOR = '^src/schemas/|^src/(errors|logger)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Break a cycle by moving the shared types down a floor (a types.ts both sides import).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'emulator-stays-apart',
      severity: 'error',
      comment: 'The emulator stands in for a real org: it may import only src/schemas, src/logger.ts, src/errors.ts.',
      from: { path: '^src/emulator/' },
      to: { path: '^src/', pathNot: `^src/emulator/|${FLOOR}` },
    },
    {
      name: 'worker-never-imports-emulator',
      severity: 'error',
      comment: 'Only the entry points (dev, demo, bench, cli) and tests may start or talk to the emulator.',
      from: { path: '^src/', pathNot: '^src/(emulator|dev|demo|bench|cli)/' },
      to: { path: '^src/emulator/' },
    },
    {
      name: 'governance-is-pure',
      severity: 'error',
      comment: 'The trust layers are pure functions of their inputs: no I/O adapters, no runtime, no config.',
      from: { path: '^src/governance/' },
      to: { path: '^src/', pathNot: `^src/governance/|${FLOOR}` },
    },
    {
      name: 'runtime-uses-its-ports',
      severity: 'error',
      comment: 'The runtime declares the approval ports it needs; hitl implements them, the wiring passes them in.',
      from: { path: '^src/runtime/' },
      to: { path: '^src/hitl/' },
    },
    {
      name: 'runtime-and-hitl-below-intake',
      severity: 'error',
      comment: 'A turn does not know how it was delivered: runtime and hitl never import ingestion, queue or worker.',
      from: { path: '^src/(runtime|hitl)/' },
      to: { path: '^src/(ingestion|queue|worker)/' },
    },
    {
      name: 'core-below-entry-points',
      severity: 'error',
      comment: 'The core is wired by ops and the entry points, never the other way round.',
      from: { path: `^src/${CORE}/` },
      to: { path: '^src/(ops|cli|demo|bench|dev)/' },
    },
    {
      name: 'ops-below-entry-points',
      severity: 'error',
      comment: 'The service does not depend on the CLI, the bench or the dev fixtures.',
      from: { path: '^src/ops/' },
      to: { path: '^src/(cli|bench|dev)/' },
    },
    {
      name: 'demo-does-not-import-ops',
      severity: 'error',
      comment: 'The demo drives the service through its public entry (cli wiring), not its internals.',
      from: { path: '^src/demo/' },
      to: { path: '^src/ops/' },
    },
    {
      name: 'adapters-are-leaves',
      severity: 'error',
      comment: 'The LLM and Salesforce adapters know only their wire: no runtime, governance or hitl.',
      from: { path: '^src/(llm|salesforce)/' },
      to: { path: '^src/', pathNot: `^src/$1/|${FLOOR}|^src/config[.]ts$` },
    },
    {
      name: 'floor-is-a-leaf',
      severity: 'error',
      comment: 'schemas, errors.ts and logger.ts are the floor: they import nothing else from src.',
      from: { path: FLOOR },
      // The logger's error serializer (log-redaction.ts) masks PII with the pure detectors; that is its only reach up.
      to: { path: '^src/', pathNot: '^src/schemas/|^src/log-redaction[.]ts$' },
    },
    {
      name: 'config-imports-the-floor-only',
      severity: 'error',
      comment: 'Configuration parsing is a leaf every folder may read.',
      from: { path: '^src/config[.]ts$' },
      to: { path: '^src/', pathNot: FLOOR },
    },
    {
      name: 'only-bin-imports-cli',
      severity: 'error',
      comment: 'The CLI is the top of the tree.',
      from: { path: '^src/', pathNot: '^src/(cli|bin)/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'worker-uses-runtime-dependencies',
      severity: 'error',
      comment: 'devDependencies are not installed in production; only the bench (a dev tool) may use them.',
      from: { path: `^src/${WORKER}/|^src/(emulator|demo|dev)/|^src/[^/]+[.]ts$` },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type cycle still ties two files' reasons to change together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
