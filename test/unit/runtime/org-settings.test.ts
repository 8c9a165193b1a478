import { describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../../src/runtime/agent-registry.ts';
import { applyOrgSettings, OrgSettingsReader, PACKAGE_DEFAULTS } from '../../../src/runtime/org-settings.ts';
import type { SalesforceClient } from '../../../src/salesforce/rest-client.ts';

const ORG = '00D000000000001AAA';

/** Just enough of a SalesforceClient: answers the settings query with `rows`, counting calls and their SOQL. */
function fakeIntegration(rows: () => Array<Record<string, unknown>>, fail?: () => boolean) {
  const queries: string[] = [];
  const client = {
    async query(soql: string) {
      queries.push(soql);
      await Promise.resolve();
      if (fail?.()) throw new Error('Salesforce unavailable');
      const records = rows();
      return { totalSize: records.length, done: true, records };
    },
  } as unknown as SalesforceClient;
  return { client, queries };
}

describe('OrgSettingsReader', () => {
  it('reads the org-level row by SetupOwnerId, once per cache window, shared by concurrent callers', async () => {
    let now = 0;
    const { client, queries } = fakeIntegration(() => [
      {
        AgentsDisabled__c: true,
        EnablePIIMasking__c: false,
        EnablePromptSafety__c: true,
        DefaultApprovalExpiryHours__c: 5,
      },
    ]);
    const reader = new OrgSettingsReader(
      client,
      async () => ORG,
      30_000,
      () => now,
    );
    const [a, b] = await Promise.all([reader.get(), reader.get()]);
    expect(a).toEqual({
      agentsDisabled: true,
      piiMaskingRequired: false,
      promptSafetyRequired: true,
      defaultApprovalExpiryHours: 5,
      defaultMaxStepsPerTurn: 8,
      defaultTokenBudgetPerTurn: 50_000,
    });
    expect(b).toBe(a);
    now = 29_999;
    await reader.get();
    expect(queries).toHaveLength(1);
    expect(queries[0]).toContain(`WHERE SetupOwnerId = '${ORG}'`);
    now = 30_000;
    await reader.get();
    expect(queries).toHaveLength(2);
  });

  it('uses the package defaults without a row, and never caches a failed read (fail closed: the job retries)', async () => {
    let down = true;
    const { client, queries } = fakeIntegration(
      () => [],
      () => down,
    );
    const reader = new OrgSettingsReader(client, async () => ORG);
    await expect(reader.get()).rejects.toThrow(/unavailable/);
    down = false;
    await expect(reader.get()).resolves.toEqual(PACKAGE_DEFAULTS);
    expect(queries).toHaveLength(2);
  });

  it('refuses an org ID that is not one (no SOQL built from it)', async () => {
    const { client, queries } = fakeIntegration(() => []);
    await expect(new OrgSettingsReader(client, async () => "x' OR Name != '").get()).rejects.toThrow(
      /not an organization ID/,
    );
    expect(queries).toEqual([]);
  });
});

describe('applyOrgSettings', () => {
  const agent = {
    piiMode: 'off',
    maxSteps: 8,
    tokenBudget: 50_000,
    unset: { maxSteps: true, tokenBudget: false },
    capabilities: [
      { CapabilityName__c: 'a', ApprovalExpiryHours__c: 24, approvalExpiryUnset: true },
      { CapabilityName__c: 'b', ApprovalExpiryHours__c: 2, approvalExpiryUnset: false },
    ],
  } as unknown as AgentConfig;

  it('forces masking where the org requires it, fills blanks with the org defaults and says what it overrode', () => {
    const { agent: applied, overrides } = applyOrgSettings(agent, {
      ...PACKAGE_DEFAULTS,
      defaultMaxStepsPerTurn: 3,
      defaultTokenBudgetPerTurn: 9,
      defaultApprovalExpiryHours: 5,
    });
    expect(applied.piiMode).toBe('hybrid');
    expect(applied.maxSteps).toBe(3);
    expect(applied.tokenBudget).toBe(50_000);
    expect(applied.capabilities.map((c) => c.ApprovalExpiryHours__c)).toEqual([5, 2]);
    expect(overrides).toEqual([expect.stringMatching(/Enable PII Masking/)]);
  });

  it('runs a LogOnly agent as Sanitize where the org requires prompt safety, and as LogOnly where it does not', () => {
    const logOnly = { ...agent, piiMode: 'hybrid', safetyMode: 'LogOnly' } as AgentConfig;
    const required = applyOrgSettings(logOnly, PACKAGE_DEFAULTS);
    expect(required.agent.safetyMode).toBe('Sanitize');
    expect(required.overrides).toEqual([expect.stringMatching(/Enable Prompt Safety/)]);
    const allowed = applyOrgSettings(logOnly, { ...PACKAGE_DEFAULTS, promptSafetyRequired: false });
    expect(allowed).toMatchObject({ agent: { safetyMode: 'LogOnly' }, overrides: [] });
    // Never loosens: Block stays Block whatever the switch says.
    const block = { ...logOnly, safetyMode: 'Block' } as AgentConfig;
    expect(applyOrgSettings(block, { ...PACKAGE_DEFAULTS, promptSafetyRequired: false }).agent.safetyMode).toBe(
      'Block',
    );
  });

  it('leaves an agent alone where the org allows masking off', () => {
    expect(
      applyOrgSettings(agent, { ...PACKAGE_DEFAULTS, piiMaskingRequired: false, promptSafetyRequired: false }),
    ).toMatchObject({
      agent: { piiMode: 'off' },
      overrides: [],
    });
  });
});
