/**
 * The emulator's `LoomChatController` (force-app/main/lightning/classes/LoomChatController.cls), the server side of the
 * loomAgentChat component: its `@AuraEnabled` methods with the same parameters, the same user-mode query and the same
 * delegation to AgentTurnService and AgentHITLService. A refusal is an AuraHandledException carrying the message.
 * test/contract/apex-drift.test.ts checks the method and parameter names against the class.
 */
import { decide } from './agent-hitl-service.ts';
import { startTurns } from './agent-turn-service.ts';
import { QueryException, soqlString, userModeQuery, type ApexContext } from './apex-runtime.ts';

/** `AuraHandledException`: its message reaches the component (`error.body.message`). */
export class AuraHandledException extends Error {
  override readonly name = 'AuraHandledException';
}

type Params = Record<string, unknown>;
type Row = Record<string, unknown>;
const CONFIRMABLE = new Set(['Confirmation', 'ConfirmationThenApproval']);

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function userMode(ctx: ApexContext, soql: string): Row[] {
  try {
    return userModeQuery(ctx, soql);
  } catch (error) {
    if (error instanceof QueryException) throw new AuraHandledException(error.message);
    throw error;
  }
}

function listAgents(ctx: ApexContext): unknown {
  return userMode(
    ctx,
    'SELECT Name, DeveloperName__c, Description__c FROM AIAgentDefinition__c WHERE IsActive__c = TRUE ' +
      'ORDER BY Name LIMIT 200',
  ).map((agent) => ({
    developerName: agent['DeveloperName__c'],
    label: agent['Name'],
    description: agent['Description__c'] ?? null,
  }));
}

function sendMessage(ctx: ApexContext, params: Params): unknown {
  const [result] = startTurns(ctx, [
    {
      agentDeveloperName: text(params['agentDeveloperName']),
      message: text(params['message']),
      sourceRecordId: text(params['recordId']),
      executionId: text(params['executionId']),
      channel: 'Chat',
      triggerSource: 'Chat',
    },
  ]);
  if (!result?.isSuccess) throw new AuraHandledException(String(result?.errorMessage));
  return { executionId: result.executionId, turnIdentifier: result.turnIdentifier, messageId: result.messageId };
}

/** One query: the conversation by execution ID, or else the user's latest chat with this agent about this record. */
function getConversation(ctx: ApexContext, params: Params): unknown {
  const executionId = text(params['executionId']);
  const agent = text(params['agentDeveloperName']);
  const recordId = text(params['recordId']);
  // An empty Apex set matches nothing: with an execution ID, only that execution can be returned.
  const agentNames = executionId === null && agent !== null ? soqlString(agent) : "''";
  const [execution] = userMode(
    ctx,
    'SELECT Id, ExecutionStatus__c, CurrentTurnIdentifier__c, ' +
      '(SELECT Id, Role__c, Content__c, TurnIdentifier__c, CreatedDate FROM InteractionMessages__r ' +
      'ORDER BY CreatedDate DESC, Name DESC LIMIT 200), ' +
      '(SELECT Id, ToolName__c, ToolArgumentsJSON__c, ReviewedArgumentsJSON__c, HITLType__c, Status__c, ' +
      'Approver__r.Name, ExpiresAt__c, TurnIdentifier__c, RequestingUser__c FROM PendingHITLActions__r ' +
      "WHERE Status__c = 'Pending' OR (Status__c = 'Confirmed' AND HITLType__c = 'ConfirmationThenApproval') " +
      'ORDER BY RequestedAt__c ASC LIMIT 50) ' +
      `FROM AgentExecution__c WHERE RequestingUser__c = ${soqlString(ctx.userId)} AND (Id = ${executionId ? soqlString(executionId) : 'null'} ` +
      `OR (TriggerSource__c = 'Chat' AND AIAgentDefinition__r.DeveloperName__c IN (${agentNames}) ` +
      `AND SourceRecordId__c = ${recordId ? soqlString(recordId) : 'null'})) ORDER BY CreatedDate DESC LIMIT 1`,
  );
  if (!execution)
    return { executionId: null, status: null, currentTurnIdentifier: null, messages: [], heldActions: [] };
  return toConversation(ctx, execution);
}

function toConversation(ctx: ApexContext, execution: Row): unknown {
  const children = (name: string): Row[] => (execution[name] as { records?: Row[] } | null)?.records ?? [];
  return {
    executionId: execution['Id'],
    status: execution['ExecutionStatus__c'] ?? null,
    currentTurnIdentifier: execution['CurrentTurnIdentifier__c'] ?? null,
    messages: children('InteractionMessages__r')
      .reverse()
      .map((row) => ({
        id: row['Id'],
        role: row['Role__c'],
        content: row['Content__c'],
        turnIdentifier: row['TurnIdentifier__c'],
        createdDate: row['CreatedDate'],
      })),
    heldActions: children('PendingHITLActions__r').map((row) => ({
      id: row['Id'],
      toolName: row['ToolName__c'],
      argumentsJson: text(row['ReviewedArgumentsJSON__c']) ?? row['ToolArgumentsJSON__c'],
      hitlType: row['HITLType__c'],
      status: row['Status__c'],
      approverName: (row['Approver__r'] as Row | null)?.['Name'] ?? null,
      expiresAt: row['ExpiresAt__c'] ?? null,
      turnIdentifier: row['TurnIdentifier__c'],
      awaitsMyConfirmation:
        row['RequestingUser__c'] === ctx.userId &&
        row['Status__c'] === 'Pending' &&
        CONFIRMABLE.has(String(row['HITLType__c'])),
    })),
  };
}

/** The requester confirms or cancels a held action: a Boolean, so no free-text decision reaches AgentHITLService. */
function confirmHeldAction(ctx: ApexContext, params: Params): unknown {
  const [result] = decide(ctx, [
    { pendingActionId: text(params['pendingActionId']), decision: params['confirm'] === true ? 'Confirm' : 'Decline' },
  ]);
  if (!result?.isSuccess) throw new AuraHandledException(String(result?.errorMessage));
  return null;
}

/** `@AuraEnabled` methods by name, with their parameters in declaration order (the drift test reads these). */
export const CHAT_CONTROLLER = {
  className: 'LoomChatController',
  methods: {
    listAgents: { params: [], run: (ctx: ApexContext) => listAgents(ctx) },
    sendMessage: { params: ['agentDeveloperName', 'message', 'recordId', 'executionId'], run: sendMessage },
    getConversation: { params: ['executionId', 'agentDeveloperName', 'recordId'], run: getConversation },
    confirmHeldAction: { params: ['pendingActionId', 'confirm'], run: confirmHeldAction },
  },
} as const satisfies LightningController;

export interface LightningController {
  className: string;
  methods: Record<string, { params: readonly string[]; run(ctx: ApexContext, params: Params): unknown }>;
}
