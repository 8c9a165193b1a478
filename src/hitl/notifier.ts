import type { Logger } from '../logger.ts';
import { LoomError } from '../errors.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import { describeRouting, type ApprovalRouting } from './routing.ts';

export const NOTIFICATION_TYPE = 'Loom_Pending_Action';

export interface NotifyTarget {
  pendingId: string;
  actionKey: string;
  executionId: string;
  turnId: string;
  /** Sequence number for the audit step this writes (after the turn's last row). */
  sequence: number;
  title: string;
  body: string;
  recipientIds: string[];
}

/**
 * Tells people about pending actions through Salesforce itself: a manual share of the pending record with the
 * approver (or, for queue routing, with the queue, so its members can open it), the Custom Notification standard
 * action (to the approver or the queue), and optionally an approval-process submission. A channel the org does not
 * offer (the emulator has no approval processes) is recorded as an intent in the audit step instead.
 * Never throws: a notification problem must not undo or block the decision it reports.
 */
export class Notifier {
  private typeId: Promise<string | null> | undefined;
  /** Queue DeveloperName (lower case) → Group ID: a queue is looked up once per worker, not once per held action. */
  private readonly queueIds = new Map<string, string>();

  constructor(
    private readonly integration: SalesforceClient,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /** An approver must act: share the record, notify, optionally submit to an approval process. */
  async approvalRequested(target: NotifyTarget, routing: ApprovalRouting, approverId: string | null): Promise<void> {
    const lines = [`Approval requested from ${describeRouting(routing)}.`];
    let shareWith = approverId;
    if (!shareWith && routing.queue) {
      const queue = await this.queue(routing.queue);
      if ('id' in queue) shareWith = queue.id;
      else lines.push(queue.line);
    }
    if (shareWith)
      lines.push(
        await this.attempt('manual share (PendingHITLAction__Share)', () =>
          this.share(target.pendingId, shareWith, target.executionId),
        ),
      );
    const recipients = target.recipientIds.length > 0 ? target.recipientIds : shareWith ? [shareWith] : [];
    if (routing.notify.includes('customNotification'))
      lines.push(await this.attempt('custom notification', () => this.custom({ ...target, recipientIds: recipients })));
    if (routing.notify.includes('approvalProcess')) {
      lines.push(await this.attempt('approval process submission', () => this.submit(target, routing, approverId)));
    }
    await this.record(target, 'notify-approver', lines.join(' '));
  }

  /** The requester hears about the outcome (per the capability's HITLNotificationPreference__c). */
  async outcome(target: NotifyTarget, kind: string): Promise<void> {
    const line = await this.attempt('custom notification', () => this.custom(target));
    await this.record(target, `notify-${kind}`, `Requester told: ${target.title}. ${line}`);
  }

  private async attempt(channel: string, send: () => Promise<void>): Promise<string> {
    try {
      await send();
      return `Sent by ${channel}.`;
    } catch (error) {
      const reason = error instanceof LoomError ? `${error.category}: ${error.message}` : String(error);
      this.logger.info({ channel, reason }, 'notification channel unavailable; intent recorded');
      return `Intent recorded; ${channel} unavailable (${reason.slice(0, 200)}).`;
    }
  }

  /**
   * A user or a group (a queue: its members get the access). The execution is shared too, so the approver can read
   * the steps and decisions (Controlled by Parent) of what they are asked to decide; the worker's Modify All on
   * AgentExecution__c is what allows a manual share of a record it does not own.
   */
  private async share(pendingId: string, userOrGroupId: string, executionId: string): Promise<void> {
    await this.integration.create('PendingHITLAction__Share', {
      ParentId: pendingId,
      UserOrGroupId: userOrGroupId,
      AccessLevel: 'Read',
      RowCause: 'Manual',
    });
    await this.integration.create('AgentExecution__Share', {
      ParentId: executionId,
      UserOrGroupId: userOrGroupId,
      AccessLevel: 'Read',
      RowCause: 'Manual',
    });
  }

  /** The Group ID of a queue (by DeveloperName), or the audit line saying why there is none. Found IDs are cached. */
  private async queue(queue: string): Promise<{ id: string } | { line: string }> {
    const known = this.queueIds.get(queue.toLowerCase());
    if (known) return { id: known };
    let id: string | undefined;
    const line = await this.attempt(`queue lookup (${queue})`, async () => {
      const { records } = await this.integration.query<{ Id: string }>(
        `SELECT Id FROM Group WHERE DeveloperName = '${queue}' AND Type = 'Queue'`,
      );
      id = records[0]?.Id;
      if (!id) throw new LoomError(`no queue named ${queue}`, { category: 'Configuration' });
    });
    if (id) this.queueIds.set(queue.toLowerCase(), id);
    return id ? { id } : { line };
  }

  private async custom(target: NotifyTarget): Promise<void> {
    if (target.recipientIds.length === 0)
      throw new LoomError('no user or queue to notify directly (role routing)', { category: 'NoRecipient' });
    this.typeId ??= this.integration
      .query<{ Id: string }>(`SELECT Id FROM CustomNotificationType WHERE DeveloperName = '${NOTIFICATION_TYPE}'`)
      .then((result) => result.records[0]?.Id ?? null);
    const typeId = await this.typeId.catch((error: unknown) => {
      this.typeId = undefined;
      throw error;
    });
    if (!typeId)
      throw new LoomError(`custom notification type ${NOTIFICATION_TYPE} is not deployed`, {
        category: 'Configuration',
      });
    const results = await this.integration.request<
      Array<{ isSuccess?: boolean; errors?: Array<{ statusCode?: string; message?: string }> | null }>
    >('POST', '/actions/standard/customNotificationAction', {
      inputs: [
        {
          customNotifTypeId: typeId,
          recipientIds: target.recipientIds,
          title: target.title.slice(0, 250),
          body: target.body.slice(0, 750),
          targetId: target.pendingId,
        },
      ],
    });
    // Invocable actions answer 200 with one result per input: a refused input is a failure, not a sent notification.
    const refused = Array.isArray(results) ? results.find((result) => result.isSuccess === false) : undefined;
    if (refused) {
      const first = refused.errors?.[0];
      throw new LoomError(`${first?.statusCode ?? 'UNKNOWN'}: ${first?.message ?? 'the notification was not sent'}`, {
        category: 'NotificationRefused',
      });
    }
  }

  private async submit(target: NotifyTarget, routing: ApprovalRouting, approverId: string | null): Promise<void> {
    await this.integration.request('POST', '/process/approvals', {
      requests: [
        {
          actionType: 'Submit',
          contextId: target.pendingId,
          comments: target.body.slice(0, 4000),
          ...(approverId ? { nextApproverIds: [approverId] } : {}),
          ...(routing.approvalProcess
            ? { processDefinitionNameOrId: routing.approvalProcess, skipEntryCriteria: true }
            : {}),
        },
      ],
    });
  }

  /** One audit row per notification, keyed by action and purpose so a retry rewrites it. */
  private async record(target: NotifyTarget, purpose: string, content: string): Promise<void> {
    try {
      await this.integration.upsertMany(
        'ExecutionStep__c',
        'StepKey__c',
        [
          {
            StepKey__c: `${target.actionKey}-${purpose}`,
            AgentExecution__c: target.executionId,
            TurnIdentifier__c: target.turnId,
            Sequence__c: target.sequence,
            Timestamp__c: this.now().toISOString(),
            StepType__c: 'Approval',
            StepRole__c: 'System',
            Content__c: content,
            IsError__c: false,
          },
        ],
        true,
      );
    } catch (error) {
      this.logger.warn({ err: error, actionKey: target.actionKey }, 'could not record the notification step');
    }
  }
}
