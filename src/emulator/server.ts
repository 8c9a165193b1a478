import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../logger.ts';
import type { OrgApi } from './org/model.ts';
import { DEFAULT_SEED_PATH, loadOrgFromSeedFile } from './org/org.ts';
import { EmulatorAdmin, type StreamingControls } from './http/admin.ts';
import { createHandler, type CometdHandler } from './http/app.ts';
import { Clock } from './http/clock.ts';
import { Faults } from './http/faults.ts';
import type { OrgServices } from './http/org-services.ts';
import { LocatorStore } from './http/rest/locators.ts';
import { TokenStore } from './http/tokens.ts';
import { createStreaming, serveCometd } from './streaming/index.ts';
import { ApiUsage } from './http/usage.ts';
import { startPubSub, type PubSubServer, type SubscribeStreamStats } from './pubsub/server.ts';
import type { EventBus } from './streaming/event-bus.ts';

/** The sample org every test and the demo start from. */
export { DEFAULT_SEED_PATH };

export interface EmulatorOptions {
  seedPath?: string;
  org?: OrgApi;
  host?: string;
  /** 0 = a random free port. */
  port?: number;
  /** How long CometD holds a `/meta/connect` open (handed to the streaming module). */
  cometdTimeoutMs?: number;
  /** Platform events the org may deliver per rolling 24 hours (default 10,000, a base allocation). */
  dailyDeliveryLimit?: number;
  /** How often an idle Pub/Sub Subscribe stream gets an empty keepalive FetchResponse (Salesforce: within 270 s). */
  pubsubKeepAliveMs?: number;
  logger?: Logger;
}

export interface EmulatorHandle {
  /** e.g. `http://127.0.0.1:41234`: login URL and instance URL at once. */
  url: string;
  /** The Pub/Sub API (gRPC) endpoint on the same event bus, e.g. `http://127.0.0.1:41235`. */
  pubsubUrl: string;
  /** The open Pub/Sub Subscribe streams: requested, delivered, waiting (flow-control tests). */
  pubsubStreams(): SubscribeStreamStats[];
  org: OrgApi;
  admin: EmulatorAdmin;
  tokens: TokenStore;
  close(): Promise<void>;
}

/** What the emulator needs from the streaming module: a CometD handler plus admin controls. */
export interface StreamingMount {
  handler: CometdHandler;
  controls: StreamingControls;
  bus: EventBus;
  /** The Pub/Sub server on the same bus: its streams are evicted together with the CometD clients. */
  attachPubSub(server: PubSubServer): void;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Starts the org emulator: OAuth, REST, composite, limits, admin surface and the CometD mount on one port. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const logger = options.logger ?? silentLogger();
  const org = options.org ?? loadOrgFromSeedFile(options.seedPath ?? DEFAULT_SEED_PATH);
  const parts = assemble(org, options, logger);
  const { server, baseUrl } = await serveHttp(parts, options.host ?? '127.0.0.1', options.port ?? 0);
  // The Pub/Sub API on its own port, started once the HTTP port is ours (a taken port fails before anything else runs).
  const pubsub = await startPubSub(
    {
      org,
      tokens: parts.tokens,
      bus: parts.streaming.bus,
      logger,
      ...(options.pubsubKeepAliveMs === undefined ? {} : { keepAliveMs: options.pubsubKeepAliveMs }),
    },
    options.host === undefined || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host,
  );
  parts.streaming.attachPubSub(pubsub);
  logger.info({ url: baseUrl, orgId: org.orgId }, 'org emulator listening');

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    pubsubUrl: pubsub.url,
    pubsubStreams: () => pubsub.streams(),
    org,
    admin: parts.admin,
    tokens: parts.tokens,
    close: () => {
      closing ??= (async () => {
        await parts.streaming.close();
        await pubsub.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

/** The emulator's moving parts around one org, before anything listens. */
interface EmulatorParts extends OrgServices {
  logger: Logger;
  streaming: StreamingMount;
  admin: EmulatorAdmin;
}

function assemble(org: OrgApi, options: EmulatorOptions, logger: Logger): EmulatorParts {
  const clock = new Clock();
  const tokens = new TokenStore(org, clock, org.settings.sessionTimeoutSeconds);
  const seedApiLimit = org.settings.dailyApiLimit;
  const seedSessionTimeoutSeconds = tokens.sessionTimeoutSeconds;
  const usage = new ApiUsage(seedApiLimit, () => clock.now());
  const faults = new Faults();
  const locators = new LocatorStore(() => clock.now());
  const timeout = options.cometdTimeoutMs === undefined ? {} : { timeoutMs: options.cometdTimeoutMs };
  // Mounted before listening: the org's event sink must exist before the first publish.
  const deliveries = options.dailyDeliveryLimit === undefined ? {} : { dailyDeliveryLimit: options.dailyDeliveryLimit };
  const streaming = mountStreaming({ org, tokens, clock, logger, ...timeout, ...deliveries });
  const admin = new EmulatorAdmin({
    org,
    tokens,
    usage,
    faults,
    clock,
    locators,
    seedApiLimit,
    seedSessionTimeoutSeconds,
    streaming: () => streaming.controls,
  });
  return { org, logger, clock, tokens, usage, faults, locators, streaming, admin };
}

/** The HTTP server on `host:port`; its base URL is known once it listens (port 0 picks a free one). */
async function serveHttp(
  parts: EmulatorParts,
  host: string,
  port: number,
): Promise<{ server: Server; baseUrl: string }> {
  let baseUrl = '';
  const { streaming } = parts;
  // Headers are measured by the handler (431 with a JSON body), so node's own 16 KB cap must not fire first.
  const server = createServer(
    { maxHeaderSize: 64 * 1024, keepAliveTimeout: 5000 },
    createHandler({
      org: parts.org,
      tokens: parts.tokens,
      usage: parts.usage,
      faults: parts.faults,
      clock: parts.clock,
      locators: parts.locators,
      admin: parts.admin,
      logger: parts.logger,
      baseUrl: () => baseUrl,
      cometd: () => streaming.handler,
      extraLimits: () => streaming.controls.limits?.() ?? {},
    }),
  );
  const address = await listen(server, host, port);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${address.port}`;
  return { server, baseUrl };
}

/** The streaming module on the emulator's token store and clock: CometD handler, admin controls, `/limits` entries. */
function mountStreaming(deps: {
  org: OrgApi;
  tokens: TokenStore;
  clock: Clock;
  logger: Logger;
  timeoutMs?: number;
  dailyDeliveryLimit?: number;
}): StreamingMount {
  const streaming = createStreaming({
    resolveToken: (token) => deps.tokens.resolve(token),
    touchToken: (token) => deps.tokens.touch(token),
    schema: deps.org.schema,
    logger: deps.logger,
    ...(deps.timeoutMs === undefined ? {} : { connectTimeoutMs: deps.timeoutMs }),
    bus: {
      now: () => deps.clock.now(),
      ...(deps.dailyDeliveryLimit === undefined ? {} : { dailyDeliveryLimit: deps.dailyDeliveryLimit }),
    },
  });
  deps.org.setEventSink(streaming.eventSink);
  deps.tokens.onRevoke(() => streaming.revalidateTokens());
  const hours = (h: number): number => h * 3600 * 1000;
  let pubsub: PubSubServer | undefined;
  const controls: StreamingControls = {
    evictClients: (filter = {}) => {
      if (filter.userId === undefined) {
        const count = streaming.clients().length + (pubsub?.dropStreams() ?? 0);
        streaming.evictAll();
        return count;
      }
      const ids = streaming
        .clients()
        .filter((c) => c.userId === filter.userId)
        .map((c) => c.clientId);
      return ids.filter((id) => streaming.evictClient(id)).length;
    },
    setEventRetention: (h) => streaming.bus.setRetentionMs(hours(h)),
    purgeEvents: (options = {}) => streaming.bus.purgeOlderThan(deps.clock.now() - hours(options.olderThanHours ?? 0)),
    reset: () => {
      streaming.evictAll();
      streaming.bus.reset();
    },
    limits: () => streaming.limits(),
  };
  return {
    handler: (req, res, version) => serveCometd(streaming, req, res, version),
    controls,
    bus: streaming.bus,
    attachPubSub: (server) => {
      pubsub = server;
    },
    close: async () => streaming.close(),
  };
}
