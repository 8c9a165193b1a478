/**
 * The emulator's invocable actions for one org: the flows and Apex actions its seed declares, the outbox that the
 * standard `emailSimple` action writes to, and the list of notifications `customNotificationAction` sent (both
 * readable through the admin surface; nothing is ever delivered).
 */
import type { OrgApi } from '../org/model.ts';
import type { ActionDecl } from './declarations.ts';
import type { OutboxEmail, SentNotification } from './types.ts';

export type { OutboxEmail } from './types.ts';

export class EmulatorActions {
  private readonly sent: OutboxEmail[] = [];
  private seq = 0;
  private readonly notified: SentNotification[] = [];
  private notificationSeq = 0;

  constructor(private readonly declared: readonly ActionDecl[]) {}

  list(type: ActionDecl['type']): ActionDecl[] {
    return this.declared.filter((action) => action.type === type);
  }

  /** API names are matched case-insensitively, like the platform's URL resolution. */
  find(type: ActionDecl['type'], name: string): ActionDecl | undefined {
    const wanted = name.toLowerCase();
    return this.declared.find((action) => action.type === type && action.name.toLowerCase() === wanted);
  }

  send(email: Omit<OutboxEmail, 'seq'>): OutboxEmail {
    this.seq += 1;
    const entry = { seq: this.seq, ...email, to: [...email.to] };
    this.sent.push(entry);
    return entry;
  }

  /** Every email sent since the start or the last reset, oldest first (copies). */
  outbox(): OutboxEmail[] {
    return this.sent.map((email) => ({ ...email, to: [...email.to] }));
  }

  clearOutbox(): void {
    this.sent.length = 0;
  }

  notify(notification: Omit<SentNotification, 'seq'>): SentNotification {
    this.notificationSeq += 1;
    const entry = {
      seq: this.notificationSeq,
      ...notification,
      recipientIds: [...notification.recipientIds],
      deliveredTo: [...notification.deliveredTo],
    };
    this.notified.push(entry);
    return entry;
  }

  /** Every custom notification sent since the start or the last reset, oldest first (copies). */
  notifications(): SentNotification[] {
    return this.notified.map((entry) => ({
      ...entry,
      recipientIds: [...entry.recipientIds],
      deliveredTo: [...entry.deliveredTo],
    }));
  }

  clearNotifications(): void {
    this.notified.length = 0;
  }
}

const registries = new WeakMap<OrgApi, EmulatorActions>();

/**
 * The actions of an org, created on first use from the seed the org was built from (an OrgApi that is not built from a
 * seed has none). Keyed by the org object, so every emulator in a process has its own outbox.
 */
export function actionsFor(org: OrgApi): EmulatorActions {
  let actions = registries.get(org);
  if (!actions) {
    const declared = (org as { actionDeclarations?: readonly ActionDecl[] }).actionDeclarations ?? [];
    actions = new EmulatorActions(declared);
    registries.set(org, actions);
  }
  return actions;
}
