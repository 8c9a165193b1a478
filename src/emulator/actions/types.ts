/**
 * The records the emulator's actions keep (the outbox, the sent notifications): the floor that both the registry and
 * the actions import, so neither imports the other for a type.
 */

/** An email the standard `emailSimple` action wrote to the outbox. */
export interface OutboxEmail {
  /** Sequence number within this emulator run, from 1. */
  seq: number;
  sentAt: string;
  fromUserId: string;
  fromUsername: string;
  to: string[];
  subject: string;
  body: string;
}

/** A notification as sent: what the caller asked for and the active users it reached. */
export interface SentNotification {
  /** Sequence number within this emulator run, from 1. */
  seq: number;
  sentAt: string;
  /** The calling user (the sender unless `senderId` names another). */
  fromUserId: string;
  fromUsername: string;
  senderId: string;
  typeId: string;
  typeDeveloperName: string;
  /** As given: users, groups and queues. */
  recipientIds: string[];
  /** The active users reached: user recipients plus the members of group and queue recipients (nested groups too). */
  deliveredTo: string[];
  title: string;
  body: string;
  targetId: string | null;
  targetPageRef: string | null;
}
