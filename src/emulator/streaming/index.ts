export { createStreaming, checkVersion, DEFAULT_CONNECT_TIMEOUT_MS, MAX_COMETD_BODY_BYTES } from './bayeux-server.ts';
export type { Streaming, StreamingDeps, StreamingRequest, StreamingResponse, ClientInfo } from './bayeux-server.ts';
export { EventBus, REPLAY_ALL, REPLAY_NEW, DEFAULT_RETENTION_MS } from './event-bus.ts';
export type { DeliveredEvent, BusSubscription, EventBusOptions, ChannelStats } from './event-bus.ts';
export { serveCometd, cometdVersion } from './http-adapter.ts';
export { tokenFromAuthorization } from './auth.ts';
export { StreamingErrors, HttpErrors, BayeuxError } from './errors.ts';
export { eventSchemaDocument } from './event-schema.ts';
