/**
 * The standard invocable action `customNotificationAction` (Send Custom Notification): validates each input like the
 * platform and records the notification, with the users it reaches, in the emulator's notification list (readable
 * through the admin surface; nothing is pushed to a device). Documented in docs/emulator-seed.md (Actions).
 *
 * Inputs: `customNotifTypeId` (a CustomNotificationType), `recipientIds` (users, groups or queues; at most 500),
 * `title` (≤ 250), `body` (≤ 750), `targetId` or `targetPageRef`, and optionally `senderId` and `actionGroup`. Since
 * Winter '21 the calling user needs the Send Custom Notifications user permission for REST calls. Error codes follow
 * the emulator's invocable-action conventions; Salesforce's exact texts for these refusals are unverified.
 */
import type { RestContext } from '../http/rest/context.ts';
import { canonicalId } from '../org/ids.ts';
import { GROUP_KEY_PREFIX, usersInGroup } from '../org/sharing.ts';
import { actionsFor } from './registry.ts';
import { invocationResult, type ActionErrorEntry, type InvocationResult } from './run-action.ts';

export const CUSTOM_NOTIFICATION_ACTION = 'customNotificationAction';
export const MAX_NOTIFICATION_RECIPIENTS = 500;
export const MAX_TITLE_LENGTH = 250;
export const MAX_BODY_LENGTH = 750;
export const SEND_PERMISSION = 'SendCustomNotifications';
const SUCCESS_MESSAGE = 'Your custom notification is processed successfully.';

const INPUTS = [
  'customNotifTypeId',
  'recipientIds',
  'title',
  'body',
  'targetId',
  'targetPageRef',
  'senderId',
  'actionGroup',
] as const;

export type { SentNotification } from './types.ts';

export function describeCustomNotification(): Record<string, unknown> {
  const input = (name: string, required: boolean, type = 'STRING', description: string | null = null) => ({
    name,
    label: name,
    description,
    type,
    required,
  });
  return {
    name: CUSTOM_NOTIFICATION_ACTION,
    label: 'Send Custom Notification',
    description: 'Send a custom notification to users, groups or queues through desktop and mobile channels.',
    type: 'CUSTOMNOTIFICATIONACTION',
    inputs: [
      input('customNotifTypeId', true, 'REFERENCE', 'The ID of the Custom Notification Type'),
      input(
        'recipientIds',
        true,
        'REFERENCE_COLLECTION',
        `Users, groups or queues; at most ${MAX_NOTIFICATION_RECIPIENTS}`,
      ),
      input('title', true, 'STRING', `At most ${MAX_TITLE_LENGTH} characters`),
      input('body', true, 'STRING', `At most ${MAX_BODY_LENGTH} characters`),
      input('targetId', false, 'REFERENCE', 'The record the notification opens; targetId or targetPageRef is required'),
      input('targetPageRef', false, 'STRING', 'A page reference (JSON); targetId or targetPageRef is required'),
      input('senderId', false, 'REFERENCE', 'The sending user (default: the caller)'),
      input('actionGroup', false, 'STRING', 'Action group of an actionable notification (not modelled)'),
    ],
    outputs: [{ name: 'SuccessMessage', label: 'SuccessMessage', type: 'STRING' }],
  };
}

class InputError extends Error {
  constructor(
    readonly statusCode: string,
    message: string,
    readonly fields: string[],
  ) {
    super(message);
  }
}

function text(input: Record<string, unknown>, name: string, max: number, required: boolean): string | null {
  const value = input[name];
  if (value === undefined || value === null || value === '') {
    if (required) throw new InputError('REQUIRED_FIELD_MISSING', `Missing required input parameter: ${name}`, [name]);
    return null;
  }
  if (typeof value !== 'string')
    throw new InputError(
      'INVALID_TYPE_FOR_OPERATION',
      `Input parameter ${name} expects a string, got ${JSON.stringify(value).slice(0, 60)}`,
      [name],
    );
  if (value.length > max)
    throw new InputError(
      'STRING_TOO_LONG',
      `${name}: data value too large: ${value.slice(0, 20)}... (max length=${max})`,
      [name],
    );
  return value;
}

function id(value: unknown, name: string): string {
  const canonical = typeof value === 'string' ? canonicalId(value) : undefined;
  if (canonical === undefined)
    throw new InputError('MALFORMED_ID', `${name}: id value of incorrect type: ${String(value).slice(0, 40)}`, [name]);
  return canonical;
}

/** Sends (records) one notification as the calling user. */
export function sendCustomNotification(input: Record<string, unknown>, ctx: RestContext): InvocationResult {
  try {
    return invocationResult(CUSTOM_NOTIFICATION_ACTION, { outputs: send(input, ctx) });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const entry: ActionErrorEntry = { statusCode: error.statusCode, message: error.message, fields: error.fields };
    return invocationResult(CUSTOM_NOTIFICATION_ACTION, { errors: [entry] });
  }
}

/** Validates the inputs in the platform's order, then records the notification with the active users it reaches. */
function send(input: Record<string, unknown>, ctx: RestContext): Record<string, unknown> {
  const caller = ctx.access.user;
  checkCaller(input, ctx);
  const type = notificationType(input, ctx);
  const recipientIds = recipients(input);
  const delivered = reachedUsers(recipientIds, ctx);
  const title = text(input, 'title', MAX_TITLE_LENGTH, true) as string;
  const body = text(input, 'body', MAX_BODY_LENGTH, true) as string;
  const { targetId, targetPageRef } = target(input);
  const senderId = sender(input, ctx);
  text(input, 'actionGroup', 255, false);

  actionsFor(ctx.org).notify({
    sentAt: new Date(ctx.now()).toISOString(),
    fromUserId: caller.id,
    fromUsername: caller.username,
    senderId,
    typeId: type.id,
    typeDeveloperName: type.developerName,
    recipientIds,
    deliveredTo: delivered,
    title,
    body,
    targetId,
    targetPageRef,
  });
  return { SuccessMessage: SUCCESS_MESSAGE };
}

/** The caller needs Send Custom Notifications, and may pass only the action's inputs. */
function checkCaller(input: Record<string, unknown>, ctx: RestContext): void {
  if (!ctx.access.hasUserPermission(SEND_PERMISSION)) {
    throw new InputError(
      'INSUFFICIENT_ACCESS',
      `You don't have permission to send custom notifications: ${ctx.access.user.username} needs the Send Custom Notifications user permission`,
      [],
    );
  }
  const unknown = Object.keys(input).filter((key) => !(INPUTS as readonly string[]).includes(key));
  if (unknown.length > 0)
    throw new InputError('INVALID_INPUT', `Unknown input parameter(s): ${unknown.join(', ')}`, unknown);
}

/** `customNotifTypeId`: a CustomNotificationType record. */
function notificationType(input: Record<string, unknown>, ctx: RestContext): { id: string; developerName: string } {
  if (input.customNotifTypeId === undefined || input.customNotifTypeId === null || input.customNotifTypeId === '') {
    throw new InputError('REQUIRED_FIELD_MISSING', 'Missing required input parameter: customNotifTypeId', [
      'customNotifTypeId',
    ]);
  }
  const typeId = id(input.customNotifTypeId, 'customNotifTypeId');
  const type = ctx.org.store.get(typeId);
  if (!type || type.object.name !== 'CustomNotificationType') {
    throw new InputError(
      'INVALID_ID_FIELD',
      `Invalid custom notification type ID: ${String(input.customNotifTypeId)}`,
      ['customNotifTypeId'],
    );
  }
  return { id: typeId, developerName: String(type.record['DeveloperName']) };
}

/** `recipientIds`: a non-empty list of at most 500 IDs, de-duplicated. */
function recipients(input: Record<string, unknown>): string[] {
  const rawRecipients = input.recipientIds;
  if (
    rawRecipients === undefined ||
    rawRecipients === null ||
    (Array.isArray(rawRecipients) && rawRecipients.length === 0)
  ) {
    throw new InputError('REQUIRED_FIELD_MISSING', 'Missing required input parameter: recipientIds', ['recipientIds']);
  }
  if (!Array.isArray(rawRecipients))
    throw new InputError('INVALID_TYPE_FOR_OPERATION', 'Input parameter recipientIds expects a list of IDs', [
      'recipientIds',
    ]);
  if (rawRecipients.length > MAX_NOTIFICATION_RECIPIENTS) {
    throw new InputError(
      'LIMIT_EXCEEDED',
      `A custom notification can have at most ${MAX_NOTIFICATION_RECIPIENTS} recipients, got ${rawRecipients.length}`,
      ['recipientIds'],
    );
  }
  return [...new Set(rawRecipients.map((recipient) => id(recipient, 'recipientIds')))];
}

/** The active users the recipients reach: users themselves, and the members of groups and queues. */
function reachedUsers(recipientIds: string[], ctx: RestContext): string[] {
  const { store } = ctx.org;
  const delivered: string[] = [];
  const reach = (userId: string): void => {
    if (ctx.org.userById(userId)?.isActive && !delivered.includes(userId)) delivered.push(userId);
  };
  for (const recipient of recipientIds) {
    const record = store.get(recipient);
    if (record?.object.name === 'User') reach(recipient);
    else if (record?.object.name === 'Group' && recipient.startsWith(GROUP_KEY_PREFIX))
      for (const member of usersInGroup(store, recipient)) reach(member);
    else {
      // Account and opportunity team recipients need team selling or account teams, which the emulator does not model.
      throw new InputError(
        'INVALID_ID_FIELD',
        `Invalid recipient ID: ${recipient} (expected a user, group or queue ID)`,
        ['recipientIds'],
      );
    }
  }
  return delivered;
}

/** What the notification opens: `targetId` or `targetPageRef` (at least one). */
function target(input: Record<string, unknown>): { targetId: string | null; targetPageRef: string | null } {
  const targetId =
    input.targetId === undefined || input.targetId === null || input.targetId === ''
      ? null
      : id(input.targetId, 'targetId');
  const targetPageRef = text(input, 'targetPageRef', 4000, false);
  if (targetId === null && targetPageRef === null) {
    throw new InputError('REQUIRED_FIELD_MISSING', 'Missing required input parameter: targetId or targetPageRef', [
      'targetId',
      'targetPageRef',
    ]);
  }
  return { targetId, targetPageRef };
}

/** `senderId`: an active user; the caller when absent. */
function sender(input: Record<string, unknown>, ctx: RestContext): string {
  if (input.senderId === undefined || input.senderId === null || input.senderId === '') return ctx.access.user.id;
  const senderId = id(input.senderId, 'senderId');
  if (!ctx.org.userById(senderId)?.isActive)
    throw new InputError('INVALID_ID_FIELD', `Invalid sender ID: ${senderId} (expected an active user)`, ['senderId']);
  return senderId;
}
