import { LoomError } from '../../errors.ts';
import type { SalesforceClient } from '../../salesforce/rest-client.ts';
import { AGENTS_DISABLED_MESSAGE, PACKAGE_DEFAULTS, type OrgSettings } from '../org-settings.ts';
import type { TurnContext } from '../turn-context.ts';
import type { HeldTurnIdentity, Refusal, TurnServices } from './types.ts';

/** Who the turn runs as, with which agent, under which org settings: what passed the access checks. */
export interface Access {
  /** The requesting user's ID. */
  owner: string;
  agentId: string;
  org: OrgSettings;
  /** The requesting user's own session. */
  userClient: SalesforceClient;
}

/**
 * The checks every turn passes, new or resumed: agents enabled, the conversation open, an agent named, the requester
 * an active user who may run the agent (asked with their own session).
 */
export async function authorize(
  services: TurnServices,
  context: TurnContext,
  identity: HeldTurnIdentity | undefined,
): Promise<Access | { refused: Refusal }> {
  const { execution } = context;
  const owner = identity?.requesterId ?? execution.RequestingUser__c ?? execution.OwnerId;
  const agentId = identity?.agentId ?? execution.AIAgentDefinition__c;
  const refused = (category: string, message: string) => ({ refused: { category, message } });
  // The kill switch stops every path into a turn: events, /v1/turns and resumes after a decision.
  const org = services.settings ? await services.settings.get() : PACKAGE_DEFAULTS;
  if (org.agentsDisabled) return refused('AgentsDisabled', AGENTS_DISABLED_MESSAGE);
  if (execution.InteractionSession__r?.SessionStatus__c === 'Closed')
    return refused('SessionClosed', 'This conversation is closed and takes no new turns; start a new one.');
  if (!agentId) return refused('Configuration', 'The conversation has no agent.');
  const username = await definite(() => services.guard.username(owner));
  if (typeof username !== 'string') return refused('PermissionDenied', username.denied);
  const userClient = services.clientFor(username);
  const allowed = await definite(() => services.guard.mayRun(owner, agentId, userClient));
  if ('denied' in allowed) return refused('PermissionDenied', allowed.denied);
  if (!allowed.ok) return refused('PermissionDenied', allowed.reason ?? 'Not allowed to run this agent.');
  return { owner, agentId, org, userClient };
}

/**
 * Only a definite answer (no such user, inactive) refuses the turn; an outage is retried, never shown as the answer.
 */
async function definite<T>(ask: () => Promise<T>): Promise<T | { denied: string }> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof LoomError && !error.retryable) return { denied: error.message };
    throw error;
  }
}
