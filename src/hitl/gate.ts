import { PermanentError, TransientError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AgentConfig, Capability } from '../runtime/agent-registry.ts';
import type { GateDecision, HitlGate, ToolDefinition, TurnTrust } from '../runtime/ports.ts';
import type { TurnRecorder } from '../runtime/turn-recorder.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import type { Notifier } from './notifier.ts';
import { actionKey, type HitlType } from './pending-record.ts';
import { evaluatePolicy } from './policy.ts';
import { describeRouting, routingFor, UserDirectory, type ApprovalRouting } from './routing.ts';
import { canonicalJson, capabilityVersion, type ArgumentSigner } from './signature.ts';

/** Long text fields of the package hold 131,072 characters; larger arguments cannot be approved faithfully. */
const MAX_ARGS = 131_072;
const MAX_EXPIRY_HOURS = 24 * 90;

export interface HitlServices {
  integration: SalesforceClient;
  signer: ArgumentSigner;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
  /** Org-wide approver username when a capability names none (LOOM_HITL_DEFAULT_APPROVER). */
  defaultApprover?: string;
}

export interface GateTurn {
  agent: AgentConfig;
  execution: { Id: string };
  turnId: string;
  /** The requesting user's ID. */
  userId: string;
  recorder: TurnRecorder;
  trust?: TurnTrust;
}

interface Held {
  key: string;
  type: HitlType;
  toolName: string;
  routing: ApprovalRouting | null;
  approverId: string | null;
  summary: string;
}

/**
 * The runtime-enforced gate for one turn. What the capability says decides; the model can only ADD a requirement
 * (`_requiresApproval`), never remove one, and nothing it writes in arguments or text is read as a confirmation.
 * A held call becomes a signed `PendingHITLAction__c` written in the turn's own atomic audit write. A capability that
 * runs asynchronously and needs no person is held too (type Asynchronous) and started after the write (`Run`).
 */
export function createHitlGate(services: HitlServices, turn: GateTurn): HitlGate {
  const writes: PendingWrite[] = [];
  const held: Held[] = [];
  const users = new UserDirectory(services.integration);

  return {
    async review(request): Promise<GateDecision> {
      const capability = turn.agent.capabilities.find((candidate) => candidate.Id === request.tool.capabilityId);
      if (!capability)
        throw new PermanentError(`No capability backs the tool "${request.tool.name}"`, { category: 'Configuration' });
      // A person's decision comes first; an approved call already runs in its own job (the decision job).
      const required =
        requirement(capability, request.args, request.modelRequestedApproval, request.approvalReason) ??
        (capability.RunAsynchronously__c ? { type: 'Asynchronous' as const, reasons: [ASYNC_REASON] } : null);
      if (!required) return { decision: 'execute', args: request.args };
      const { routing, approverId } = await approverOf(services, users, capability, required.type);
      const argsJson = canonicalJson(request.args);
      if (argsJson.length > MAX_ARGS)
        throw new PermanentError('The arguments are too large to hold for a decision', {
          category: 'InvalidArguments',
        });
      const key = actionKey(turn.execution.Id, turn.turnId, request.toolCallId);
      const now = services.now();
      const hours = Math.min(Math.max(capability.ApprovalExpiryHours__c, 1 / 60), MAX_EXPIRY_HOURS);
      const expiresAt = new Date(now.getTime() + hours * 3_600_000);
      writes.push(
        pendingRecord(services, turn, { key, capability, request, required, approverId, argsJson, now, expiresAt }),
      );
      const summary = await describeAction(request.tool, request.args, turn.trust);
      held.push({ key, type: required.type, toolName: request.tool.name, routing, approverId, summary });
      return {
        decision: 'hold',
        pendingActionId: key,
        type: shownType(required.type),
        message: holdMessage(required.type, summary, routing, expiresAt),
      };
    },

    takeWrites() {
      return writes.splice(0, writes.length);
    },

    afterWrite: () => afterWrite(services, turn, held.splice(0, held.length)),
  };
}

type PendingWrite = Record<string, unknown> & { ActionKey__c: string };
type ReviewRequest = Parameters<HitlGate['review']>[0];

/** Who approves: an approval names its routing, and a named approver must exist and be active (else no hold). */
async function approverOf(
  services: HitlServices,
  users: UserDirectory,
  capability: Capability,
  type: HitlType,
): Promise<{ routing: ApprovalRouting | null; approverId: string | null }> {
  const needsApproval = type !== 'Confirmation' && type !== 'Asynchronous';
  if (!needsApproval) return { routing: null, approverId: null };
  const routing = routingFor(capability.backend, services.defaultApprover);
  if (!routing.approverUsername) return { routing, approverId: null };
  const approver = await users.byUsername(routing.approverUsername);
  if (!approver?.active)
    throw new PermanentError(`The configured approver ${routing.approverUsername} does not exist or is inactive`, {
      category: 'Configuration',
    });
  return { routing, approverId: approver.id };
}

/** The signed `PendingHITLAction__c` for one held call, written in the turn's own atomic audit write. */
function pendingRecord(
  services: HitlServices,
  turn: GateTurn,
  hold: {
    key: string;
    capability: Capability;
    request: ReviewRequest;
    required: { type: HitlType; reasons: string[] };
    approverId: string | null;
    argsJson: string;
    now: Date;
    expiresAt: Date;
  },
): PendingWrite {
  const { key, capability, request, required, approverId } = hold;
  return {
    ActionKey__c: key,
    AgentExecution__c: turn.execution.Id,
    AgentCapability__c: capability.Id,
    TurnIdentifier__c: turn.turnId,
    ToolCallId__c: request.toolCallId,
    ToolName__c: request.tool.name,
    HITLType__c: required.type,
    Status__c: 'Pending',
    RequestingUser__c: turn.userId,
    // The requester owns the record (Private OWD); the approver gets a manual share after the write.
    OwnerId: turn.userId,
    ...(approverId ? { Approver__c: approverId } : {}),
    ToolArgumentsJSON__c: hold.argsJson,
    ArgumentsSignature__c: services.signer.sign({
      executionId: turn.execution.Id,
      turnId: turn.turnId,
      toolCallId: request.toolCallId,
      toolName: request.tool.name,
      args: request.args,
      // The type, the requester (checked against the turn's platform-set publisher), the agent and the capability
      // version are signed: a resume runs only as this user, with this capability, under this kind of decision.
      hitlType: required.type,
      identity: {
        requesterId: turn.userId,
        agentId: turn.agent.id,
        capabilityId: capability.Id,
        capabilityVersion: capabilityVersion(capability),
      },
    }),
    RequestedAt__c: hold.now.toISOString(),
    ExpiresAt__c: hold.expiresAt.toISOString(),
    PolicyReason__c: required.reasons.join('\n').slice(0, 32_000),
  };
}

/** Once the audit write landed: asynchronous holds are started, approvers of plain approvals are told. Never throws. */
async function afterWrite(services: HitlServices, turn: GateTurn, written: Held[]): Promise<void> {
  // A two-step action asks its approver only once the requester confirmed (resolve.ts / message-confirmation.ts).
  const approvals = written.filter((item) => item.routing !== null && item.type !== 'ConfirmationThenApproval');
  const background = written.filter((item) => item.type === 'Asynchronous');
  if (approvals.length === 0 && background.length === 0) return;
  let ids: Array<{ Id: string; ActionKey__c: string }>;
  try {
    ids = (
      await services.integration.query<{ Id: string; ActionKey__c: string }>(
        `SELECT Id, ActionKey__c FROM PendingHITLAction__c WHERE ActionKey__c IN (${written.map((item) => `'${item.key}'`).join(', ')})`,
      )
    ).records;
  } catch (error) {
    services.logger.warn(
      { err: error },
      'could not read the held actions back; the sweeper starts asynchronous ones and approvers see them in the queue',
    );
    return;
  }
  await startInBackground(services, background, ids);
  try {
    await notifyApprovers(services, turn, approvals, ids);
  } catch (error) {
    services.logger.warn({ err: error }, 'approver notification failed; the pending action stands');
  }
}

async function notifyApprovers(
  services: HitlServices,
  turn: GateTurn,
  approvals: Held[],
  ids: Array<{ Id: string; ActionKey__c: string }>,
): Promise<void> {
  for (const item of approvals) {
    const pendingId = ids.find((record) => record.ActionKey__c === item.key)?.Id;
    if (!pendingId || !item.routing) continue;
    await services.notifier.approvalRequested(
      {
        pendingId,
        actionKey: item.key,
        executionId: turn.execution.Id,
        turnId: turn.turnId,
        sequence: turn.recorder.nextSequence,
        title: `Approval needed: ${item.toolName}`,
        body: item.summary,
        recipientIds: item.approverId ? [item.approverId] : [],
      },
      item.routing,
      item.approverId,
    );
  }
}

const ASYNC_REASON = 'Capability runs asynchronously: the worker starts it in a separate job.';

/**
 * Starts each asynchronous hold through the normal decision path: an `AgentHITLDecision__e` with Decision `Run`,
 * published as the worker's integration user (durable, de-duplicated, queued and retried like any decision). A lost
 * publish strands nothing: the sweeper runs asynchronous actions that are still pending after a grace period.
 */
async function startInBackground(
  services: HitlServices,
  items: Held[],
  ids: Array<{ Id: string; ActionKey__c: string }>,
): Promise<void> {
  for (const item of items) {
    const pendingId = ids.find((record) => record.ActionKey__c === item.key)?.Id;
    if (!pendingId) {
      services.logger.warn(
        { actionKey: item.key },
        'asynchronous action not found after the write; the sweeper will start it',
      );
      continue;
    }
    try {
      await publishRun(services.integration, pendingId);
    } catch (error) {
      services.logger.warn(
        { err: error, pendingId },
        'could not publish the Run decision; the sweeper will start the asynchronous action',
      );
    }
  }
}

/** Publishes `Run` for one pending action as the integration user; a publish the platform did not accept throws. */
export async function publishRun(integration: SalesforceClient, pendingId: string): Promise<void> {
  const result = await integration.request<{
    success?: boolean;
    errors?: Array<{ statusCode?: string; message?: string }>;
  }>('POST', '/sobjects/AgentHITLDecision__e', {
    PendingActionId__c: pendingId,
    Decision__c: 'Run',
  });
  // A successful publish reports OPERATION_ENQUEUED in `errors` (wire protocol §4); anything else is a failure.
  const failures = (result.errors ?? []).filter((error) => error.statusCode !== 'OPERATION_ENQUEUED');
  if (result.success === false || failures.length > 0)
    throw new TransientError(`Run was not published: ${JSON.stringify(failures).slice(0, 300)}`);
}

function shownType(type: HitlType): string {
  if (type === 'Asynchronous') return 'Background run';
  return type === 'Confirmation' || type === 'ConfirmationThenApproval' ? 'Confirmation' : 'Approval';
}

/** Which human step a call needs, or null to run it now. */
export function requirement(
  capability: Pick<Capability, 'HITLMode__c' | 'ApprovalPolicy__c'>,
  args: Record<string, unknown>,
  modelRequested: boolean,
  modelReason?: string,
): { type: HitlType; reasons: string[] } | null {
  const asked = modelRequested ? [`The assistant asked for approval${modelReason ? `: ${modelReason}` : '.'}`] : [];
  switch (capability.HITLMode__c) {
    case '':
      return modelRequested ? { type: 'Approval', reasons: asked } : null;
    case 'Confirmation':
      return modelRequested
        ? { type: 'ConfirmationThenApproval', reasons: ['Capability requires confirmation.', ...asked] }
        : { type: 'Confirmation', reasons: ['Capability requires confirmation by the requesting user.'] };
    case 'Approval':
      return { type: 'Approval', reasons: ['Capability requires approval.', ...asked] };
    case 'ConfirmationThenApproval':
      return {
        type: 'ConfirmationThenApproval',
        reasons: ['Capability requires confirmation, then approval.', ...asked],
      };
    case 'ConditionalApproval': {
      const verdict = evaluatePolicy(capability.ApprovalPolicy__c, args);
      const reasons = [...verdict.reasons.map((reason) => `Policy: ${reason}`), ...asked];
      return reasons.length > 0 ? { type: 'ConditionalApproval', reasons } : null;
    }
  }
}

/** What will run, with the values the model saw (masked); the requester is shown them restored. */
async function describeAction(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  trust: TurnTrust | undefined,
): Promise<string> {
  if (!trust) return `${tool.name} (arguments held on the pending action)`;
  const masked = await trust.maskValue(args);
  return `${tool.name} with ${JSON.stringify(masked)}`;
}

function holdMessage(type: HitlType, summary: string, routing: ApprovalRouting | null, expiresAt: Date): string {
  const until = `${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (type === 'Asynchronous')
    return `I started ${summary} as a background job; I will continue here when it completes (it is cancelled if it has not run by ${until}).`;
  if (type === 'Confirmation')
    return `Please confirm before I run ${summary}. Reply "yes" to go ahead or "no" to cancel (valid until ${until}).`;
  const who = routing ? describeRouting(routing) : 'an approver';
  if (type === 'ConfirmationThenApproval') {
    return `Please confirm before I run ${summary}. Reply "yes" to go ahead or "no" to cancel; after your confirmation it also needs approval by ${who} (valid until ${until}).`;
  }
  return `This needs approval by ${who} before it runs: ${summary}. I will continue once it is decided (expires ${until}).`;
}
