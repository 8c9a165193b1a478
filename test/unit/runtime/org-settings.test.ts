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
      { AgentsDisabled__c: true, EnablePIIMasking__c: false, DefaultApprovalExpiryHours__c: 5 },
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

  it('leaves an agent alone where the org allows masking off', () => {
    expect(applyOrgSettings(agent, { ...PACKAGE_DEFAULTS, piiMaskingRequired: false })).toMatchObject({
      agent: { piiMode: 'off' },
      overrides: [],
    });
  });
});
