import { z } from 'zod';
import { PermanentError } from '../errors.ts';
import { CustomPermissions, LOOM_PERMISSIONS } from '../salesforce/custom-permissions.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import type { StepRow } from './history.ts';

const StepRowSchema = z.object({
  StepType__c: z.string(),
  Content__c: z.string().nullish(),
  ToolName__c: z.string().nullish(),
  ToolCallId__c: z.string().nullish(),
  ToolArguments__c: z.string().nullish(),
  ToolResult__c: z.string().nullish(),
  TurnIdentifier__c: z.string(),
  Sequence__c: z.number(),
});

const ExecutionRow = z.object({
  Id: z.string(),
  OwnerId: z.string(),
  RequestingUser__c: z.string().nullish(),
  ExecutionStatus__c: z.string().nullish(),
  CurrentTurnIdentifier__c: z.string().nullish(),
  AIAgentDefinition__c: z.string().nullish(),
  AIAgentDefinition__r: z.object({ LastModifiedDate: z.string() }).nullish(),
  TotalPromptTokens__c: z.number().nullish(),
  TotalCompletionTokens__c: z.number().nullish(),
  TotalTokens__c: z.number().nullish(),
  TotalCostUSD__c: z.number().nullish(),
  InteractionSession__c: z.string().nullish(),
  InteractionSession__r: z.object({ SessionStatus__c: z.string().nullish() }).nullish(),
  StartedAt__c: z.string().nullish(),
  InteractionMessages__r: z
    .object({ records: z.array(z.object({ Id: z.string(), Content__c: z.string().nullish() })) })
    .nullish(),
  ExecutionSteps__r: z.object({ records: z.array(StepRowSchema) }).nullish(),
});
export type ExecutionRow = z.infer<typeof ExecutionRow>;

export interface TurnContext {
  execution: ExecutionRow;
  /** The requesting user's message for this turn (null when the event named none). */
  message: { id: string; content: string } | null;
  /** Recent steps, oldest first. */
  steps: StepRow[];
}

/** How many recent steps the context query brings back for the history window. */
export const HISTORY_ROWS = 400;

/**
 * Everything a turn needs from Loom's own records, in ONE query as the integration user: the execution, the agent's
 * LastModifiedDate (config cache key), this turn's message and the recent audit steps (history).
 */
export async function loadTurnContext(
  integration: SalesforceClient,
  input: { executionId: string; messageId: string | null | undefined },
): Promise<TurnContext> {
  const messageFilter = input.messageId ? `WHERE Id = '${input.messageId}'` : 'WHERE Id = null';
  const soql =
    'SELECT Id, OwnerId, RequestingUser__c, ExecutionStatus__c, CurrentTurnIdentifier__c, AIAgentDefinition__c, ' +
    'AIAgentDefinition__r.LastModifiedDate, TotalPromptTokens__c, TotalCompletionTokens__c, TotalTokens__c, TotalCostUSD__c, ' +
    'InteractionSession__c, InteractionSession__r.SessionStatus__c, StartedAt__c, ' +
    `(SELECT Id, Content__c FROM InteractionMessages__r ${messageFilter}), ` +
    '(SELECT StepType__c, Content__c, ToolName__c, ToolCallId__c, ToolArguments__c, ToolResult__c, TurnIdentifier__c, Sequence__c ' +
    `FROM ExecutionSteps__r ORDER BY Timestamp__c DESC, Sequence__c DESC LIMIT ${HISTORY_ROWS}) ` +
    `FROM AgentExecution__c WHERE Id = '${input.executionId}'`;
  const { records } = await integration.query(soql);
  if (records.length === 0) {
    throw new PermanentError(`Execution ${input.executionId} does not exist or is not visible to the worker`, {
      category: 'NotFound',
    });
  }
  const parsed = ExecutionRow.safeParse(records[0]);
  if (!parsed.success)
    throw new PermanentError(`Execution ${input.executionId} is malformed: ${z.prettifyError(parsed.error)}`, {
      category: 'Configuration',
    });
  const execution = parsed.data;
  const message = execution.InteractionMessages__r?.records[0];
  const steps = [...(execution.ExecutionSteps__r?.records ?? [])].reverse();
  return { execution, message: message ? { id: message.Id, content: message.Content__c ?? '' } : null, steps };
}

/**
 * User facts that gate a turn, cached briefly: holders of the Loom_StartAgentTurns custom permission only (asked of
 * the org with the user's own session, so groups count and the worker needs no View Setup), and only agents the user
 * can see.
 */
export class AccessGuard {
  private readonly usernames = new Map<string, string>();
  private readonly checks = new Map<string, { ok: boolean; reason?: string; at: number }>();

  constructor(
    private readonly integration: SalesforceClient,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly permissions: CustomPermissions = new CustomPermissions(),
  ) {}

  /** Username of an active user (JWT `sub`), read as the integration user. */
  async username(userId: string): Promise<string> {
    const cached = this.usernames.get(userId.slice(0, 15));
    if (cached) return cached;
    const { records } = await this.integration.query<{ Username: string; IsActive: boolean }>(
      `SELECT Username, IsActive FROM User WHERE Id = '${userId}'`,
    );
    const user = records[0];
    if (!user) throw new PermanentError(`User ${userId} does not exist`, { category: 'PermissionDenied' });
    if (!user.IsActive) throw new PermanentError(`User ${userId} is inactive`, { category: 'PermissionDenied' });
    this.usernames.set(userId.slice(0, 15), user.Username);
    return user.Username;
  }

  /**
   * The user must hold Loom_StartAgentTurns (re-asked at most once per user per permission cache window) and be able
   * to read the active agent definition with their own session (cached per user and agent for `ttlMs`).
   */
  async mayRun(
    userId: string,
    agentId: string,
    userClient: SalesforceClient,
  ): Promise<{ ok: boolean; reason?: string }> {
    const permission = await this.permissions.check(userId, userClient, LOOM_PERMISSIONS.startTurns);
    if (!permission.held) {
      return {
        ok: false,
        reason: `The requesting user may not start agent turns: ${permission.reason ?? 'no Loom_StartAgentTurns'} (the Loom_User permission set grants it).`,
      };
    }
    const key = `${userId.slice(0, 15)}|${agentId.slice(0, 15)}`;
    const cached = this.checks.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached;
    const result = await this.check(agentId, userClient);
    this.checks.set(key, { ...result, at: this.now() });
    return result;
  }

  private async check(agentId: string, userClient: SalesforceClient): Promise<{ ok: boolean; reason?: string }> {
    const visible = await userClient
      .query(`SELECT Id, IsActive__c FROM AIAgentDefinition__c WHERE Id = '${agentId}'`)
      .catch((error: unknown) => {
        if ((error as { retryable?: boolean }).retryable) throw error;
        return { totalSize: 0, records: [] };
      });
    if (visible.records.length === 0) return { ok: false, reason: 'The requesting user cannot access this agent.' };
    if (visible.records[0]?.IsActive__c !== true) return { ok: false, reason: 'This agent is not active.' };
    return { ok: true };
  }
}
