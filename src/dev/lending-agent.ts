import type { SalesforceClient } from '../salesforce/rest-client.ts';
import type { ScriptedScript } from '../llm/script-schema.ts';

export const LENDING_AGENT = 'Lending_Assistant';

/** The sample agent's tools: a governed SOQL tool, a record reader, and an update that needs approval. */
const CAPABILITIES = [
  {
    CapabilityName__c: 'query_applications',
    Description__c:
      'Run one read-only SOQL query over loan applications and their applicants. Only fields you are shown in the schema exist.',
    Parameters__c: JSON.stringify({
      type: 'object',
      properties: { query: { type: 'string', description: 'One SOQL SELECT statement.' } },
      required: ['query'],
      additionalProperties: false,
    }),
    ImplementationType__c: 'Standard',
    StandardActionType__c: 'SoqlQuery',
    BackendConfiguration__c: JSON.stringify({ objects: ['Loan_Application__c', 'Contact'], rowCap: 50 }),
  },
  {
    CapabilityName__c: 'get_application',
    Description__c: 'Read loan applications by record ID.',
    Parameters__c: JSON.stringify({
      type: 'object',
      properties: { recordIds: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 20 } },
      required: ['recordIds'],
    }),
    ImplementationType__c: 'Standard',
    StandardActionType__c: 'GetRecords',
    BackendConfiguration__c: JSON.stringify({
      object: 'Loan_Application__c',
      fields: ['Name', 'Amount__c', 'Status__c', 'Risk_Tier__c', 'Description__c'],
    }),
  },
  {
    CapabilityName__c: 'update_application',
    Description__c: 'Update fields of one loan application. Changes are held for approval by a loan approver.',
    Parameters__c: JSON.stringify({
      type: 'object',
      properties: { recordId: { type: 'string' }, fields: { type: 'object', minProperties: 1 } },
      required: ['recordId', 'fields'],
      additionalProperties: false,
    }),
    ImplementationType__c: 'Standard',
    StandardActionType__c: 'UpdateRecord',
    BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }),
    HITLMode__c: 'Approval',
    ApprovalExpiryHours__c: 72,
  },
];

/**
 * Creates (once) the sample lending agent, its scripted LLM configuration and its capabilities, as an admin.
 * Returns the agent's ID. Safe to call repeatedly: an existing agent is reused.
 */
export async function provisionLendingAgent(
  admin: SalesforceClient,
  options: { adapter?: 'Scripted' | 'OpenAICompatible' | 'Anthropic'; model?: string } = {},
): Promise<string> {
  const existing = await admin.query<{ Id: string }>(
    `SELECT Id FROM AIAgentDefinition__c WHERE DeveloperName__c = '${LENDING_AGENT}'`,
  );
  if (existing.records[0]) return existing.records[0].Id;
  const llm = await admin.create('LLMConfiguration__c', {
    Name: 'Lending model',
    DeveloperName__c: 'Lending_Model',
    ProviderAdapter__c: options.adapter ?? 'Scripted',
    ModelIdentifier__c: options.model ?? 'scripted-lending-1',
    PromptPricePer1M__c: 0.15,
    CompletionPricePer1M__c: 0.6,
    TimeoutMs__c: 30_000,
    IsActive__c: true,
  });
  const agent = await admin.create('AIAgentDefinition__c', {
    Name: 'Lending Assistant',
    DeveloperName__c: LENDING_AGENT,
    Description__c: 'Answers loan officers’ questions about applications and prepares updates for approval.',
    IdentityPrompt__c: 'You are the lending desk assistant of Harbor Lending.',
    InstructionsPrompt__c:
      'Answer from the data your tools return. Never guess field values. Updates need an approver.',
    LLMConfiguration__c: llm.id,
    PIIMaskingMode__c: 'Hybrid',
    PromptSafetyMode__c: 'Block',
    PromptSafetyThreshold__c: 0.5,
    EnableToolReasoning__c: false,
    MaxStepsPerTurn__c: 6,
    TokenBudgetPerTurn__c: 20_000,
    HistoryTurnLimit__c: 10,
    IsActive__c: true,
  });
  for (const capability of CAPABILITIES) {
    await admin.create('AgentCapability__c', {
      ...capability,
      AIAgentDefinition__c: agent.id,
      ExposureLevel__c: 'External',
      IsActive__c: true,
    });
  }
  await shareAgentWithLoomUsers(admin, agent.id);
  return agent.id;
}

/**
 * Agents are Private: nobody but the owner (and Loom_Admin / Loom_Worker, through View All) sees one until it is
 * shared. What an admin does with the Sharing button, done for every Loom_User holder: a Read share per user.
 */
export async function shareAgentWithLoomUsers(admin: SalesforceClient, agentId: string): Promise<void> {
  const holders = await admin.query<{ AssigneeId: string }>(
    "SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = 'Loom_User'",
  );
  // Users who hold Loom_User through a permission set group are assigned the group, not the set.
  const groups = await admin.query<{ PermissionSetGroupId: string }>(
    "SELECT PermissionSetGroupId FROM PermissionSetGroupComponent WHERE PermissionSet.Name = 'Loom_User'",
  );
  const groupIds = groups.records.map((row) => `'${row.PermissionSetGroupId}'`);
  const grouped =
    groupIds.length === 0
      ? { records: [] }
      : await admin.query<{ AssigneeId: string }>(
          `SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSetGroupId IN (${groupIds.join(', ')})`,
        );
  const records = [...new Set([...holders.records, ...grouped.records].map((row) => row.AssigneeId))].map((userId) => ({
    attributes: { type: 'AIAgentDefinition__Share' },
    ParentId: agentId,
    UserOrGroupId: userId,
    AccessLevel: 'Read',
    RowCause: 'Manual',
  }));
  for (let index = 0; index < records.length; index += 200) {
    await admin.request('POST', '/composite/sobjects', { allOrNone: true, records: records.slice(index, index + 200) });
  }
}

/** What the scripted model answers in the demo story and the end-to-end tests. */
export const LENDING_SCRIPT: ScriptedScript = {
  name: 'lending-demo',
  model: 'scripted-lending-1',
  rules: [
    {
      id: 'open-applications',
      when: { lastUserMessage: 'open applications', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: {
              query:
                "SELECT Name, Amount__c, Status__c FROM Loan_Application__c WHERE Status__c = 'Open' ORDER BY Amount__c DESC",
            },
          },
        ],
      },
    },
    {
      id: 'risk-tier',
      when: { lastUserMessage: 'risk tier', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: {
              query: "SELECT Name, Risk_Tier__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1001'",
            },
          },
        ],
      },
    },
    {
      id: 'find-for-update',
      when: { lastUserMessage: 'raise the amount', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: {
              query: "SELECT Id, Name, Amount__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1001'",
            },
          },
        ],
      },
    },
    {
      id: 'propose-update',
      when: {
        lastUserMessage: 'raise the amount',
        lastToolResult: { tool: 'query_applications', contains: '"totalSize":\\s*1' },
      },
      respond: {
        toolCalls: [
          {
            name: 'update_application',
            arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: 27500 } },
          },
        ],
      },
    },
    {
      id: 'summarize',
      when: { lastUserMessage: 'summari[sz]e', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: {
              query: "SELECT Name, Description__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1003'",
            },
          },
        ],
      },
    },
    {
      id: 'update-pending',
      when: { lastToolResult: { tool: 'update_application', contains: 'pending' } },
      respond: { text: 'The change is waiting for a loan approver.' },
    },
    {
      id: 'update-done',
      when: { lastToolResult: { tool: 'update_application', contains: 'savedFields' } },
      respond: { text: 'Done: the application now asks for {{lastToolResult.savedFields.0}} = 27,500.' },
    },
    {
      id: 'withheld',
      when: { lastToolResult: { contains: 'withheld|IndirectInjection' } },
      respond: { text: 'That record contains text that looks like instructions, so I did not use it.' },
    },
    {
      id: 'refused',
      when: { lastToolResult: { contains: 'refused|violations|error' } },
      respond: { text: 'I can’t get that for you: your access does not include it.' },
    },
    {
      id: 'tier',
      when: { lastUserMessage: 'risk tier', lastToolResult: { tool: 'query_applications' } },
      respond: {
        text: 'Application {{lastToolResult.records.0.Name}} is in risk tier {{lastToolResult.records.0.Risk_Tier__c}}.',
      },
    },
    {
      id: 'listed',
      when: { lastToolResult: { tool: 'query_applications' } },
      respond: {
        text: 'I found {{lastToolResult.totalSize}} matching application(s); the largest is {{lastToolResult.records.0.Name}} at {{lastToolResult.records.0.Amount__c}}.',
      },
    },
    {
      id: 'fallback',
      when: {},
      respond: { text: 'I can list open applications, look up a risk tier, or prepare an update for approval.' },
    },
  ],
};
