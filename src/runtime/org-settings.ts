import { z } from 'zod';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import type { AgentConfig } from './agent-registry.ts';

export { PACKAGE_DEFAULTS, type OrgSettings } from './org-defaults.ts';
import { PACKAGE_DEFAULTS, type OrgSettings } from './org-defaults.ts';

const positive = (fallback: number) =>
  z
    .number()
    .nullish()
    .transform((value) => (value && value > 0 ? value : fallback));

const SettingsRow = z.object({
  AgentsDisabled__c: z
    .boolean()
    .nullish()
    .transform((value) => value === true),
  // Blank on an existing row means unchecked; only a missing row falls back to the package default (checked).
  EnablePIIMasking__c: z
    .boolean()
    .nullish()
    .transform((value) => value === true),
  EnablePromptSafety__c: z
    .boolean()
    .nullish()
    .transform((value) => value === true),
  DefaultApprovalExpiryHours__c: positive(PACKAGE_DEFAULTS.defaultApprovalExpiryHours),
  DefaultMaxStepsPerTurn__c: positive(PACKAGE_DEFAULTS.defaultMaxStepsPerTurn),
  DefaultTokenBudgetPerTurn__c: positive(PACKAGE_DEFAULTS.defaultTokenBudgetPerTurn),
});

/** Anything that can answer "what are the org's settings now" (the reader below, or a fixed value in tests). */
export interface OrgSettingsSource {
  get(): Promise<OrgSettings>;
}

/**
 * Reads the org-level settings row as the integration user, cached for `ttlMs` (default 30 s): at most one API call
 * per window however many turns run, and callers during a read share it. A failed read is not cached and throws, so
 * the job is retried instead of running without the admin's switches (fail closed).
 */
export class OrgSettingsReader implements OrgSettingsSource {
  private cached: { value: OrgSettings; at: number } | undefined;
  private inFlight: Promise<OrgSettings> | undefined;
  reads = 0;

  constructor(
    private readonly integration: SalesforceClient,
    private readonly orgId: () => Promise<string>,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<OrgSettings> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.value;
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async read(): Promise<OrgSettings> {
    this.reads += 1;
    const orgId = await this.orgId();
    if (!/^00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/.test(orgId)) throw new Error(`not an organization ID: ${orgId}`);
    const { records } = await this.integration.query(
      `SELECT ${Object.keys(SettingsRow.shape).join(', ')} FROM AIAgentFrameworkSettings__c WHERE SetupOwnerId = '${orgId}' LIMIT 1`,
    );
    const value = records[0] === undefined ? PACKAGE_DEFAULTS : toSettings(SettingsRow.parse(records[0]));
    this.cached = { value, at: this.now() };
    return value;
  }
}

function toSettings(row: z.infer<typeof SettingsRow>): OrgSettings {
  return {
    agentsDisabled: row.AgentsDisabled__c,
    piiMaskingRequired: row.EnablePIIMasking__c,
    promptSafetyRequired: row.EnablePromptSafety__c,
    defaultApprovalExpiryHours: row.DefaultApprovalExpiryHours__c,
    defaultMaxStepsPerTurn: row.DefaultMaxStepsPerTurn__c,
    defaultTokenBudgetPerTurn: row.DefaultTokenBudgetPerTurn__c,
  };
}

export const AGENTS_DISABLED_MESSAGE = 'Loom agents are disabled in this org (Loom Settings: Agents Disabled).';

/**
 * The agent as this org runs it: blank limits and approval expiries take the org's defaults, masking cannot be off
 * where the org requires it, and injection verdicts cannot be only logged where the org requires prompt safety (the
 * switches only tighten: screening itself always runs). Returns what changed, for the audit trail.
 */
export function applyOrgSettings(agent: AgentConfig, org: OrgSettings): { agent: AgentConfig; overrides: string[] } {
  const overrides: string[] = [];
  let piiMode = agent.piiMode;
  if (org.piiMaskingRequired && piiMode === 'off') {
    piiMode = 'hybrid';
    overrides.push('PII masking is required by the org setting Enable PII Masking; the agent\'s "Off" runs as Hybrid.');
  }
  let safetyMode = agent.safetyMode;
  if (org.promptSafetyRequired && safetyMode === 'LogOnly') {
    safetyMode = 'Sanitize';
    overrides.push(
      'Prompt safety is required by the org setting Enable Prompt Safety; the agent\'s "LogOnly" runs as Sanitize.',
    );
  }
  return {
    agent: {
      ...agent,
      piiMode,
      safetyMode,
      maxSteps: agent.unset?.maxSteps ? org.defaultMaxStepsPerTurn : agent.maxSteps,
      tokenBudget: agent.unset?.tokenBudget ? org.defaultTokenBudgetPerTurn : agent.tokenBudget,
      capabilities: agent.capabilities.map((capability) =>
        capability.approvalExpiryUnset
          ? { ...capability, ApprovalExpiryHours__c: org.defaultApprovalExpiryHours }
          : capability,
      ),
    },
    overrides,
  };
}
