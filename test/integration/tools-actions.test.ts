/**
 * Flow, Apex and SendEmail tools run directly through UserToolExecutor against the emulator: how each kind of
 * Salesforce answer (outputs, element errors, 404, bad configuration) reaches the model.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { MemoryTokenVault } from '../../src/governance/pii/index.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import { silentLogger } from '../../src/logger.ts';
import type { ToolDefinition } from '../../src/runtime/ports.ts';
import { createRuntime, type Runtime } from '../../src/worker/runtime-deps.ts';
import { DescribeCache } from '../../src/runtime/tools/describe-cache.ts';
import { toToolDefinition, UserToolExecutor } from '../../src/runtime/tools/toolbox.ts';
import { devCredentials, startTestEmulator, TEST_API_VERSION } from '../support/emulator.ts';
import { USERS } from '../support/runtime.ts';

let emulator: EmulatorHandle;
let runtime: Runtime;

beforeAll(async () => {
  emulator = await startTestEmulator();
  const { app, privateKeyPem } = devCredentials(emulator);
  runtime = createRuntime({
    loginUrl: emulator.url,
    clientId: app.consumerKey,
    privateKeyPem,
    integrationUsername: USERS.worker,
    apiVersion: TEST_API_VERSION,
    logger: silentLogger(),
    provider: new ScriptedProvider({ rules: [{ when: {}, respond: { text: 'unused' } }] }),
    vault: new MemoryTokenVault(),
  });
});
beforeEach(() => emulator.admin.clearOutbox());
afterAll(async () => emulator.close());

const ref = (name: string): string => (emulator.org as Org).refId(name);

function tool(implementationType: string, detail: string, backend: Record<string, unknown> = {}): ToolDefinition {
  return {
    name: 'the_tool',
    description: '',
    parameters: { type: 'object' },
    capabilityId: 'a00000000000001',
    hitlMode: '',
    implementationType,
    implementationDetail: detail,
    backendConfiguration: backend,
    sideEffects: true,
  };
}

const execute = (username: string, definition: ToolDefinition, args: Record<string, unknown>) =>
  new UserToolExecutor(runtime.clientFor(username), new DescribeCache()).execute(definition, args, {
    toolCallId: 'c1',
    signal: new AbortController().signal,
  });

describe('Flow and Apex tools', () => {
  it('marks every non-Standard implementation as a side effect', () => {
    const base = {
      Id: 'a0',
      CapabilityName__c: 'x',
      Description__c: '',
      Parameters__c: '',
      StandardActionType__c: '',
      ImplementationDetail__c: 'X',
      BackendConfiguration__c: '',
      ExposureLevel__c: 'External',
      HITLMode__c: '' as const,
      ApprovalPolicy__c: '',
      ApprovalExpiryHours__c: 72,
      AllowApproverEdits__c: false,
      RunAsynchronously__c: false,
      IsActive__c: true,
      parameters: {},
      backend: {},
    };
    for (const type of ['Flow', 'Apex', 'HttpCallout'])
      expect(toToolDefinition({ ...base, ImplementationType__c: type }).sideEffects).toBe(true);
    expect(
      toToolDefinition({ ...base, ImplementationType__c: 'Standard', StandardActionType__c: 'SendEmail' }).sideEffects,
    ).toBe(true);
    expect(
      toToolDefinition({ ...base, ImplementationType__c: 'Standard', StandardActionType__c: 'GetRecords' }).sideEffects,
    ).toBe(false);
  });

  it('returns outputs without flow bookkeeping', async () => {
    const outcome = await execute(USERS.underwriter, tool('Flow', 'Close_Application'), {
      recordId: ref('app10'),
      confirm: true,
    });
    expect(outcome).toEqual({ ok: true, result: { status: 'Declined' } });
  });

  it('classifies element errors: a validation, bad input, a permission refusal', async () => {
    const validation = await execute(USERS.underwriter, tool('Flow', 'Close_Application'), { recordId: ref('app10') });
    expect(validation).toMatchObject({
      ok: false,
      errorCategory: 'ActionFailed',
      result: {
        errors: [
          { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: expect.stringContaining('Set confirm to true') },
        ],
      },
    });
    const input = await execute(USERS.officer, tool('Apex', 'LoanApplicationSummary'), { recordId: 'nope' });
    expect(input).toMatchObject({
      ok: false,
      errorCategory: 'InvalidArguments',
      result: { errors: [{ code: 'INVALID_TYPE_FOR_OPERATION', fields: ['recordId'] }] },
    });
    const denied = await execute(USERS.approver, tool('Flow', 'Escalate_Application'), {
      recordId: ref('app1'),
      reason: 'x',
    });
    expect(denied).toMatchObject({ ok: false, errorCategory: 'PermissionDenied' });
    expect(JSON.stringify(denied.result)).toMatch(/INSUFFICIENT_ACCESS/);
  });

  it('reports a user without access to the Apex class as a permission refusal', async () => {
    const outcome = await execute(USERS.approver, tool('Apex', 'LoanApplicationSummary'), { recordId: ref('app1') });
    expect(outcome).toMatchObject({
      ok: false,
      errorCategory: 'PermissionDenied',
      result: { error: expect.stringContaining('INSUFFICIENT_ACCESS') },
    });
  });

  it('reports an action missing from the org, or no action configured, as configuration problems', async () => {
    expect(await execute(USERS.officer, tool('Flow', 'Not_Deployed'), {})).toMatchObject({
      ok: false,
      errorCategory: 'Configuration',
      result: { error: expect.stringContaining('Not_Deployed') },
    });
    expect(await execute(USERS.officer, tool('Apex', '../sobjects/Account'), {})).toMatchObject({
      ok: false,
      errorCategory: 'Configuration',
    });
    expect(await execute(USERS.officer, tool('Workflow', 'X'), {})).toMatchObject({
      ok: false,
      errorCategory: 'Configuration',
    });
  });
});

describe('SendEmail', () => {
  const email = (backend: Record<string, unknown> = {}) => tool('Standard', 'SendEmail', backend);

  it('sends to any valid address without a domain restriction and reports what was sent', async () => {
    const outcome = await execute(USERS.officer, email(), {
      to: 'wei.chen@example.org',
      subject: 'Hello',
      body: 'Body',
    });
    expect(outcome).toEqual({ ok: true, result: { sent: true, to: ['wei.chen@example.org'], subject: 'Hello' } });
    expect(emulator.admin.outbox()).toEqual([
      expect.objectContaining({ to: ['wei.chen@example.org'], fromUsername: USERS.officer }),
    ]);
  });

  it('names invalid recipients, refuses too many and refuses a bad configuration, sending nothing', async () => {
    expect(
      await execute(USERS.officer, email(), { to: ['ok@example.com', 'not an address'], subject: 's', body: 'b' }),
    ).toMatchObject({
      ok: false,
      errorCategory: 'InvalidArguments',
      result: { invalidRecipients: ['not an address'] },
    });
    expect(
      await execute(USERS.officer, email({ maxRecipients: 1 }), {
        to: ['a@example.com', 'b@example.com'],
        subject: 's',
        body: 'b',
      }),
    ).toMatchObject({ ok: false, errorCategory: 'InvalidArguments' });
    expect(await execute(USERS.officer, email(), { to: ['a@example.com'], subject: '   ', body: 'b' })).toMatchObject({
      ok: false,
      errorCategory: 'InvalidArguments',
    });
    expect(
      await execute(USERS.officer, email({ allowedDomains: 'example.com' }), {
        to: ['a@example.com'],
        subject: 's',
        body: 'b',
      }),
    ).toMatchObject({ ok: false, errorCategory: 'Configuration' });
    // Domains match exactly: a subdomain or a look-alike is refused.
    expect(
      await execute(USERS.officer, email({ allowedDomains: ['example.com'] }), {
        to: ['a@mail.example.com', 'b@EXAMPLE.com'],
        subject: 's',
        body: 'b',
      }),
    ).toMatchObject({
      ok: false,
      errorCategory: 'RecipientRefused',
      result: { refusedRecipients: ['a@mail.example.com'] },
    });
    expect(emulator.admin.outbox()).toEqual([]);
  });
});
