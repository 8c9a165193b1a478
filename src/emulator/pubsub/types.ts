/** The shapes the emulator's Pub/Sub API files share: what the server is built from, who calls, what a stream reports. */
import type { Logger } from '../../logger.ts';
import type { OrgApi, UserAccess } from '../org/model.ts';
import type { TokenStore } from '../http/tokens.ts';
import type { EventBus } from '../streaming/event-bus.ts';

export interface PubSubDeps {
  org: OrgApi;
  tokens: TokenStore;
  bus: EventBus;
  logger: Logger;
  keepAliveMs?: number;
}

/** One open Subscribe stream as the server sees it (tests of flow control read these). */
export interface SubscribeStreamStats {
  userId: string;
  topic: string;
  /** Sum of every FetchRequest's num_requested. */
  requested: number;
  delivered: number;
  /** Requested and not yet delivered. */
  pending: number;
  /** Published and waiting for the subscriber to ask. */
  waiting: number;
  keepAlives: number;
}

/** The authenticated user behind one RPC. */
export interface Caller {
  token: string;
  userId: string;
  access: UserAccess;
}
