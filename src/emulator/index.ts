/** Public entry point of the org emulator. */
export { startEmulator, DEFAULT_SEED_PATH } from './server.ts';
export type { EmulatorHandle, EmulatorOptions, StreamingMount } from './server.ts';
export { EmulatorAdmin } from './http/admin.ts';
export type { StreamingControls } from './http/admin.ts';
export type { RequestLogEntry, UsageSnapshot } from './http/usage.ts';
export type { TokenRecord, ResolvedToken } from './http/tokens.ts';
export { TokenStore, tokenIdOf } from './http/tokens.ts';
export { signAssertion } from './http/jwt.ts';
