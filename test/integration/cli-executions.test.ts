/** `loom executions show` against the emulator, in-process: a mistyped or unknown ID is one line, not a stack. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { captureCli } from '../support/cli.ts';
import { devCredentials, startTestEmulator } from '../support/emulator.ts';

let emulator: EmulatorHandle;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startTestEmulator();
  const { app, privateKeyFile } = devCredentials(emulator);
  env = {
    SF_LOGIN_URL: emulator.url,
    SF_CLIENT_ID: app.consumerKey,
    SF_PRIVATE_KEY_FILE: privateKeyFile,
    SF_INTEGRATION_USERNAME: 'worker@lending.test',
  };
});

afterAll(async () => {
  await emulator.close();
});

describe('loom executions show', () => {
  it('reports an ID that is not one on one line with exit code 1', async () => {
    const run = await captureCli(['executions', 'show', 'bogus'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('loom: "bogus" is not a Salesforce ID (15 or 18 letters and digits)\n');
  });

  it('reports an execution it cannot see on one line, and in the sf JSON shape with --json', async () => {
    const run = await captureCli(['executions', 'show', 'a05EM0000000001YAA'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('loom: No execution a05EM0000000001YAA is visible to this user.\n');
    const json = await captureCli(['executions', 'show', 'a05EM0000000001YAA', '--json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 1,
      name: 'PermanentError',
      message: 'No execution a05EM0000000001YAA is visible to this user.',
    });
  });
});
