import { InvalidArgumentError, type Command } from 'commander';
import { findDevPrivateKey } from '../../emulator/http/dev-keys.ts';
import { signAssertion } from '../../emulator/http/jwt.ts';
import { DEFAULT_SEED_PATH, startEmulator, type EmulatorHandle } from '../../emulator/server.ts';
import { cli, type CliContext } from '../context.ts';
import { cliLogger } from '../logging.ts';

/** The package's Flow action that starts a turn, and the custom permission AgentTurnService checks. */
const START_ACTION = 'StartAgentTurnAction';
const START_PERMISSION = 'Loom_StartAgentTurns';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return port;
}

/** Runs the real JWT bearer flow against the emulator itself. */
async function mintToken(
  handle: EmulatorHandle,
  consumerKey: string,
  privateKeyPem: string,
  username: string,
): Promise<string> {
  const assertion = signAssertion({ iss: consumerKey, sub: username, aud: handle.url }, privateKeyPem);
  const response = await fetch(`${handle.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!response.ok || !body.access_token) throw new Error(body.error_description ?? `HTTP ${response.status}`);
  return body.access_token;
}

/** One seeded user as the banner shows it. */
export interface BannerUser {
  username: string;
  profile: string;
  permissionSets: string[];
  loginCommand: string | undefined;
  accessToken: string | undefined;
  /** Why no token could be minted (the app does not pre-authorize the user, inactive user …). */
  noToken: string | undefined;
}

/** What `loom emulator` prints (and `--json` returns as one object). */
export interface EmulatorBanner {
  orgId: string;
  orgName: string;
  instanceUrl: string;
  /** The Pub/Sub API (gRPC, plaintext on loopback): LOOM_PUBSUB_URL for a worker with LOOM_EVENT_API=pubsub. */
  pubsubUrl: string;
  connectedApp: { name: string; consumerKey: string; keyFile: string } | undefined;
  users: BannerUser[];
  /**
   * A turn started the way a Flow starts one: the package's `StartAgentTurnAction` invoked as a user who may start
   * turns (users hold no Create on `AgentTurnRequest__e`; AgentTurnService publishes it).
   */
  startTurn: { username: string; url: string; accessToken: string; body: unknown; agent: string } | undefined;
}

async function rest<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}/services/data/v62.0${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * The seed's first agent, or a minimal `Sample_Agent` created by a user who may (an admin holding Loom_Admin): an
 * example must name a real execution of an agent its user may run, or the worker refuses it.
 */
async function sampleAgent(
  handle: EmulatorHandle,
  tokens: Map<string, string>,
): Promise<{ id: string; name: string } | undefined> {
  const existing = handle.org.store.all('AIAgentDefinition__c')[0];
  if (existing) return { id: String(existing.Id), name: String(existing['DeveloperName__c']) };
  const admin = handle.org
    .users()
    .find(
      (user) =>
        tokens.has(user.username) &&
        handle.org.access(user.id).canObject('AIAgentDefinition__c', 'create') &&
        handle.org.access(user.id).canObject('LLMConfiguration__c', 'create'),
    );
  if (!admin) return undefined;
  const token = tokens.get(admin.username) as string;
  const llm = await rest<{ id: string }>(handle.url, token, 'POST', '/sobjects/LLMConfiguration__c', {
    Name: 'Sample model',
    DeveloperName__c: 'Sample_Model',
    ProviderAdapter__c: 'Scripted',
    ModelIdentifier__c: 'scripted-sample-1',
    IsActive__c: true,
  });
  const agent = await rest<{ id: string }>(handle.url, token, 'POST', '/sobjects/AIAgentDefinition__c', {
    Name: 'Sample Agent',
    DeveloperName__c: 'Sample_Agent',
    LLMConfiguration__c: llm.id,
    IsActive__c: true,
    MaxStepsPerTurn__c: 4,
  });
  return { id: agent.id, name: 'Sample_Agent' };
}

/**
 * Agents are Private in the package: the example's user gets a Read share, made by a user who may share agents (an admin
 * holding Loom_Admin), as an admin would in an org. Nothing to do when the user can already see the agent.
 */
async function shareAgent(
  handle: EmulatorHandle,
  tokens: Map<string, string>,
  agentId: string,
  userId: string,
): Promise<void> {
  if (!handle.org.schema.object('AIAgentDefinition__Share')) return;
  const visible = handle.org.query(
    handle.org.access(userId),
    `SELECT Id FROM AIAgentDefinition__c WHERE Id = '${agentId}'`,
    { apiVersion: '62.0' },
  );
  if (visible.totalSize > 0) return;
  const admin = handle.org
    .users()
    .find((user) => tokens.has(user.username) && handle.org.access(user.id).canObject('AIAgentDefinition__c', 'edit'));
  if (!admin) return;
  await rest(handle.url, tokens.get(admin.username) as string, 'POST', '/sobjects/AIAgentDefinition__Share', {
    ParentId: agentId,
    UserOrGroupId: userId,
    AccessLevel: 'Read',
    RowCause: 'Manual',
  });
}

/** Mints a token for every seeded user and prepares a start-a-turn example; no output (the command prints it). */
export async function describeEmulator(handle: EmulatorHandle, seedPath: string): Promise<EmulatorBanner> {
  const { url, org } = handle;
  const app = org.connectedApps()[0];
  const key = app ? findDevPrivateKey(seedPath, app) : undefined;
  const users: BannerUser[] = [];
  const tokens = new Map<string, string>();
  for (const user of org.users()) {
    const entry: BannerUser = {
      username: user.username,
      profile: user.profile,
      permissionSets: user.permissionSets,
      loginCommand: undefined,
      accessToken: undefined,
      noToken: undefined,
    };
    if (app && key) {
      entry.loginCommand = `sf org login jwt --username ${user.username} --client-id ${app.consumerKey} --jwt-key-file ${key.file} --instance-url ${url}`;
      try {
        entry.accessToken = await mintToken(handle, app.consumerKey, key.pem, user.username);
        tokens.set(user.username, entry.accessToken);
      } catch (error) {
        entry.noToken = (error as Error).message;
      }
    }
    users.push(entry);
  }
  let startTurn: EmulatorBanner['startTurn'];
  const starter = org
    .users()
    .find(
      (user) =>
        tokens.has(user.username) &&
        org.hasCustomPermission?.(user.id, START_PERMISSION) === true &&
        org.canInvokeApexClass?.(user.id, START_ACTION) === true,
    );
  if (starter) {
    const agent = await sampleAgent(handle, tokens);
    if (agent) {
      await shareAgent(handle, tokens, agent.id, starter.id);
      startTurn = {
        username: starter.username,
        url: `${url}/services/data/v62.0/actions/custom/apex/${START_ACTION}`,
        accessToken: tokens.get(starter.username) as string,
        body: { inputs: [{ agentDeveloperName: agent.name, message: 'Hello from the emulator banner' }] },
        agent: agent.name,
      };
    }
  }
  return {
    orgId: org.orgId,
    orgName: org.orgName,
    instanceUrl: url,
    pubsubUrl: handle.pubsubUrl,
    connectedApp: app && key ? { name: app.name, consumerKey: app.consumerKey, keyFile: key.file } : undefined,
    users,
    startTurn,
  };
}

function printBanner(banner: EmulatorBanner, context: CliContext): void {
  const c = context.colors;
  context.line(`${c.bold('Loom org emulator')} ${c.dim(`(${banner.orgName}, org ${banner.orgId})`)}`);
  context.line(`  instance / login URL  ${c.cyan(banner.instanceUrl)}`);
  context.line(`  Pub/Sub API (gRPC)    ${banner.pubsubUrl}  (LOOM_PUBSUB_URL with LOOM_EVENT_API=pubsub)`);
  context.line(`  admin surface         ${banner.instanceUrl}/__emulator/usage  (loopback only)\n`);
  const app = banner.connectedApp;
  if (!app) {
    context.line(
      c.yellow(
        'No connected app with a dev key under <seed dir>/keys/: no logins or tokens to print (loom dev adds one; see docs/emulator-seed.md).',
      ),
    );
  } else {
    context.line(`Connected app ${c.bold(app.name)}  consumer key ${app.consumerKey}  dev key ${app.keyFile}\n`);
    for (const user of banner.users) {
      context.line(
        `${c.bold(user.username)}  ${c.dim(`${user.profile}${user.permissionSets.length ? ` + ${user.permissionSets.join(', ')}` : ''}`)}`,
      );
      context.line(`  ${user.loginCommand}`);
      context.line(user.accessToken ? `  access token: ${user.accessToken}` : c.dim(`  no token: ${user.noToken}`));
    }
  }
  const start = banner.startTurn;
  if (start) {
    context.line(
      `\nStart a turn of ${start.agent} as ${start.username}, the way a Flow does (the package's ${START_ACTION}):`,
    );
    context.line(
      `  curl -s -X POST ${start.url} -H 'Authorization: Bearer ${start.accessToken}' ` +
        `-H 'Content-Type: application/json' -d '${JSON.stringify(start.body)}'`,
    );
  }
  context.line(c.dim('\nCtrl-C stops the emulator.'));
}

/** `loom emulator`: the local org emulator for development, demos and tests. */
export function register(program: Command): void {
  program
    .command('emulator')
    .description(
      'Start the local Salesforce org emulator (OAuth JWT bearer, REST, composite, CometD) from a seed file and print ' +
        'the instance URL, a JWT login and a fresh access token for each seeded user, and a curl command that starts a turn',
    )
    .option('--seed <file>', 'seed YAML describing users, permissions, objects and records', DEFAULT_SEED_PATH)
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 8443)
    .option('--host <address>', 'interface to bind (keep 127.0.0.1 unless you know why)', '127.0.0.1')
    .option('--log-level <level>', 'emulator log level (fatal, error, warn, info, debug, trace, silent)', 'warn')
    .addHelpText('after', '\nExample:\n  $ loom emulator --port 8443\n  $ curl -s http://127.0.0.1:8443/services/data')
    .action(async (options: { seed: string; port: number; host: string; logLevel: string }) => {
      const context = cli();
      const logger = cliLogger(context, { level: options.logLevel, name: 'emulator' });
      const handle = await startEmulator({ seedPath: options.seed, host: options.host, port: options.port, logger });
      const banner = await describeEmulator(handle, options.seed);
      // Listen for the stop signal before printing: a supervisor may signal as soon as it reads the banner.
      const stopped = new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          handle.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      printBanner(banner, context);
      context.result(banner);
      await stopped;
    });
}
