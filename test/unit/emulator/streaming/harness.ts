/**
 * A small org for the streaming tests: a three-object schema, users with fixed access, an in-memory token table and
 * the CometD handler mounted on a real node:http server at `/cometd/{NN.0}` (127.0.0.1, random port).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  FieldDef,
  FieldType,
  ObjectDef,
  Schema,
  UserAccess,
  UserDef,
} from '../../../../src/emulator/org/model.ts';
import {
  createStreaming,
  type Streaming,
  type StreamingDeps,
} from '../../../../src/emulator/streaming/bayeux-server.ts';
import { cometdVersion, serveCometd } from '../../../../src/emulator/streaming/http-adapter.ts';

export const ALICE = '005EM0000000001YAA';
export const BOB = '005EM0000000002YAB';
export const API_VERSION = '62.0';

function field(name: string, type: FieldType, custom: boolean, system = false): FieldDef {
  return {
    name,
    label: name,
    type,
    custom,
    length: type === 'string' ? 255 : 0,
    precision: 0,
    scale: 0,
    nillable: true,
    unique: false,
    externalId: false,
    caseSensitive: false,
    referenceTo: type === 'reference' ? ['User'] : [],
    relationshipName: null,
    masterDetail: false,
    picklistValues: [],
    restrictedPicklist: false,
    calculated: false,
    autoNumber: false,
    system,
    defaultValue: null,
    nameField: false,
    permissionable: !system,
    securityClassification: null,
    complianceGroup: null,
    inlineHelpText: null,
    description: null,
  };
}

function eventObject(name: string, fields: FieldDef[]): ObjectDef {
  return {
    name,
    label: name,
    labelPlural: name,
    keyPrefix: 'e00',
    custom: true,
    kind: 'event',
    sharingModel: 'ReadWrite',
    hasOwner: false,
    description: null,
    fields: [
      field('ReplayId', 'string', false, true),
      field('CreatedDate', 'datetime', false, true),
      field('CreatedById', 'reference', false, true),
      field('EventUuid', 'string', false, true),
      ...fields,
    ],
  };
}

export function testSchema(): Schema {
  const objects: ObjectDef[] = [
    eventObject('AgentTurn__e', [field('ExecutionId__c', 'string', true), field('Attempt__c', 'double', true)]),
    eventObject('Secret__e', [field('Note__c', 'string', true)]),
    {
      name: 'Account',
      label: 'Account',
      labelPlural: 'Accounts',
      keyPrefix: '001',
      custom: false,
      kind: 'standard',
      sharingModel: 'Private',
      hasOwner: true,
      description: null,
      fields: [field('Id', 'id', false, true), field('Name', 'string', false)],
    },
  ];
  const find = (name: string) => objects.find((object) => object.name.toLowerCase() === name.toLowerCase());
  return {
    objects: () => objects,
    object: find,
    field: (objectName, fieldName) =>
      find(objectName)?.fields.find((f) => f.name.toLowerCase() === fieldName.toLowerCase()),
    parentRelationship: () => undefined,
    childRelationship: () => undefined,
    childRelationships: () => [],
    objectForId: (id) => objects.find((object) => id.startsWith(object.keyPrefix)),
  };
}

/** Alice reads AgentTurn__e only; Bob reads nothing. */
export function accessFor(userId: string): UserAccess {
  const readable = userId === ALICE ? ['agentturn__e'] : [];
  const user: UserDef = {
    id: userId,
    username: `${userId}@loom.test`,
    firstName: 'T',
    lastName: userId,
    email: 'x@loom.test',
    isActive: true,
    profile: 'Standard',
    permissionSets: [],
    roleId: null,
    timeZoneSidKey: 'UTC',
  };
  return {
    user,
    canObject: (objectName, operation) => operation === 'read' && readable.includes(objectName.toLowerCase()),
    canField: () => false,
    canRecord: () => false,
    hasPermissionSet: () => false,
    hasUserPermission: () => false,
  };
}

/** Tokens are opaque strings mapped to users; revoke makes them unresolvable, as the org's token store does. */
export class FakeTokens {
  private readonly live = new Map<string, string>();
  private counter = 0;
  readonly touched: string[] = [];

  issue(userId: string): string {
    const token = `00DEM0000000001!AQ8Atest${++this.counter}.${userId}`;
    this.live.set(token, userId);
    return token;
  }

  revoke(token: string): void {
    this.live.delete(token);
  }

  resolve = (token: string): { userId: string; access: UserAccess } | undefined => {
    const userId = this.live.get(token);
    return userId === undefined ? undefined : { userId, access: accessFor(userId) };
  };
}

export interface Harness {
  instanceUrl: string;
  endpoint: string;
  streaming: Streaming;
  tokens: FakeTokens;
  /** WebSocket upgrade attempts seen (faye tries one before long-polling unless disabled). */
  upgradeAttempts(): number;
  close(): Promise<void>;
}

export function createTestStreaming(
  tokens: FakeTokens,
  overrides: Partial<Omit<StreamingDeps, 'resolveToken' | 'schema'>> = {},
): Streaming {
  return createStreaming({
    resolveToken: tokens.resolve,
    touchToken: (token) => tokens.touched.push(token),
    schema: testSchema(),
    ...overrides,
  });
}

export async function startHarness(
  overrides: Partial<Omit<StreamingDeps, 'resolveToken' | 'schema'>> = {},
): Promise<Harness> {
  const tokens = new FakeTokens();
  const streaming = createTestStreaming(tokens, overrides);
  let upgrades = 0;
  const server: Server = createServer((req, res) => {
    if (req.headers.upgrade?.toLowerCase() === 'websocket') upgrades++;
    const version = cometdVersion(req.url ?? '');
    if (version === undefined) {
      res.writeHead(404).end();
      return;
    }
    serveCometd(streaming, req, res, version).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const instanceUrl = `http://127.0.0.1:${port}`;
  return {
    instanceUrl,
    endpoint: `${instanceUrl}/cometd/${API_VERSION}`,
    streaming,
    tokens,
    upgradeAttempts: () => upgrades,
    async close() {
      streaming.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until `check` returns a value (tests wait on observable state, never on fixed sleeps). */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
