/**
 * The org-level row of the `AIAgentFrameworkSettings__c` hierarchy custom setting: the one place the worker reads the
 * admin's switches. Org level only, like `LoomSettings` in Apex (getOrgDefaults): a user or profile row never
 * re-enables what the admin switched off. The row's SetupOwnerId is the organization ID (Salesforce Help, "Hierarchy
 * Custom Settings": the default organization level value).
 */
export interface OrgSettings {
  /** The kill switch: no new turn, no direct event, no /v1/turns request and no decision resume runs. */
  agentsDisabled: boolean;
  /** When true, no agent may turn masking off (`PIIMaskingMode__c = Off` becomes Hybrid). */
  piiMaskingRequired: boolean;
  /** When true, no agent may only log injection verdicts (`PromptSafetyMode__c = LogOnly` becomes Sanitize). */
  promptSafetyRequired: boolean;
  defaultApprovalExpiryHours: number;
  defaultMaxStepsPerTurn: number;
  defaultTokenBudgetPerTurn: number;
}

/** Field defaults of the package (the `<defaultValue>` of each field): what an org without a settings row gets. */
export const PACKAGE_DEFAULTS: OrgSettings = {
  agentsDisabled: false,
  piiMaskingRequired: true,
  promptSafetyRequired: true,
  defaultApprovalExpiryHours: 24,
  defaultMaxStepsPerTurn: 8,
  defaultTokenBudgetPerTurn: 50_000,
};
