import { randomBytes } from 'node:crypto';
import { createOrg } from '../emulator/org/org.ts';
import { readSeedFile, type Seed } from '../emulator/org/seed.ts';
import { startEmulator, type EmulatorHandle } from '../emulator/server.ts';
import { loadScriptFile } from '../llm/script-schema.ts';
import { ScriptedProvider } from '../llm/scripted.ts';
import type { Logger } from '../logger.ts';
import { startService, type Service } from '../ops/service.ts';
import { prepareDevSeed, type DevSeed } from './dev-seed.ts';
import { LENDING_AGENT, LENDING_SCRIPT, provisionLendingAgent } from './lending-agent.ts';

export interface DevOptions {
  seedPath: string;
  /** A scripted-model file (YAML/JSON, docs/providers.md); default LOOM_LLM_SCRIPT, else the sample lending script. */
  scriptPath?: string | undefined;
  /** `undefined`: the default port, or any free one when it is taken. A number: exactly that port (0 = any). */
  emulatorPort?: number | undefined;
  port?: number | undefined;
  sampleAgent: boolean;
  logger: Logger;
  env: NodeJS.ProcessEnv;
}

export const DEFAULT_EMULATOR_PORT = 8443;
export const DEFAULT_WORKER_PORT = 8787;

/** What a running `loom dev` tells its user (also the `--json` result). */
export interface DevInfo {
  orgId: string;
  orgName: string;
  emulatorUrl: string;
  workerUrl: string;
  integrationUser: string;
  model: string;
  /** Things added to the seed so the worker can run (printed so nothing is hidden). */
  added: string[];
  /** Ports asked for that were taken, and what was used instead. */
  portNotes: string[];
  stateDir: string;
  token: string;
  agent: string | undefined;
  /** The user the printed examples act as (holds Loom_User). */
  requester: { username: string; id: string; accessToken: string } | undefined;
}

export interface DevHandle {
  info: DevInfo;
  emulator: EmulatorHandle;
  service: Service;
  close(): Promise<void>;
}

/**
 * Agents are Private in the package, so a seed's agents are invisible to its users until shared. A developer's org
 * gets what an admin would do: a Read share of each seeded agent for every active Loom_User holder. Returns how many
 * shares were made.
 */
function shareSeededAgents(org: ReturnType<typeof createOrg>): number {
  const holders = org.users().filter((user) => user.isActive && user.permissionSets.includes('Loom_User'));
  const owner = org.users().find((user) => user.isActive) ?? holders[0];
  if (!owner || !org.schema.object('AIAgentDefinition__Share')) return 0;
  const system = org.systemAccess(owner.id);
  const agents = org.query(system, 'SELECT Id, OwnerId FROM AIAgentDefinition__c', { apiVersion: '62.0' }).records;
  let count = 0;
  for (const agent of agents) {
    for (const user of holders) {
      if (agent.OwnerId === user.id) continue;
      org.create(system, 'AIAgentDefinition__Share', {
        ParentId: agent.Id,
        UserOrGroupId: user.id,
        AccessLevel: 'Read',
        RowCause: 'Manual',
      });
      count++;
    }
  }
  return count;
}

/** The seed's first agent: its first `AIAgentDefinition__c` record, else the sample agent when it was created. */
function firstAgent(seed: Seed): string | undefined {
  const records = (seed.records as Record<string, Array<Record<string, unknown>>>)['AIAgentDefinition__c'] ?? [];
  const name = records.find((record) => typeof record['DeveloperName__c'] === 'string')?.['DeveloperName__c'];
  return typeof name === 'string' ? name : undefined;
}

/** Tries `port`; when it is the default and taken, any free port instead (and says so). */
async function onPort<T>(
  asked: number | undefined,
  fallback: number,
  what: string,
  notes: string[],
  start: (port: number) => Promise<T>,
): Promise<T> {
  if (asked !== undefined) return start(asked);
  try {
    return await start(fallback);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    notes.push(`${what} port ${fallback} is in use; using a free port instead (choose one with the port option)`);
    return start(0);
  }
}

/** Runs the emulator with your seed and a worker (embedded mode, HTTP surface) against it. */
export async function startDev(options: DevOptions): Promise<DevHandle> {
  const { seed: parsed, baseDir } = readSeedFile(options.seedPath);
  const dev = prepareDevSeed(parsed, options.seedPath, baseDir);
  const org = createOrg({ seed: dev.seed, baseDir });
  const portNotes: string[] = [];
  const emulator = await onPort(options.emulatorPort, DEFAULT_EMULATOR_PORT, 'emulator', portNotes, (port) =>
    startEmulator({ org, host: '127.0.0.1', port, logger: options.logger.child({ component: 'emulator' }) }),
  );
  // Held actions are signed: without a key of your own, this run gets one (said below), so approvals work in dev.
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    LOOM_HITL_SIGNING_KEY: options.env.LOOM_HITL_SIGNING_KEY ?? randomBytes(32).toString('hex'),
  };
  const token = env.LOOM_HTTP_TOKEN ?? randomBytes(24).toString('hex');
  let model: DevModel;
  let service: Service;
  try {
    model = devModel(options.scriptPath ?? env.LOOM_LLM_SCRIPT, env);
    service = await onPort(options.port, DEFAULT_WORKER_PORT, 'worker HTTP', portNotes, (port) =>
      startDevWorker({ emulator, dev, model, token, env, logger: options.logger }, port),
    );
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const agent = await devAgent(dev.seed, options.sampleAgent, emulator, service);
  const shared = agent && agent !== LENDING_AGENT ? shareSeededAgents(org) : 0;
  const info: DevInfo = {
    orgId: emulator.org.orgId,
    orgName: emulator.org.orgName,
    emulatorUrl: emulator.url,
    workerUrl: service.url ?? '',
    integrationUser: dev.workerUsername,
    model: model.description,
    added: [
      ...dev.added,
      ...(shared > 0
        ? [
            `a Read share on the seed's agents for every Loom_User holder (${shared}; agents are Private, as in the package)`,
          ]
        : []),
      ...(options.env.LOOM_HITL_SIGNING_KEY
        ? []
        : [
            'a signing key for held actions, for this run only (set LOOM_HITL_SIGNING_KEY to keep them across restarts)',
          ]),
    ],
    portNotes,
    stateDir: service.config.LOOM_STATE_DIR,
    token,
    agent,
    requester: await devRequester(emulator, service),
  };
  return {
    info,
    emulator,
    service,
    async close() {
      await service.close();
      await emulator.close();
    },
  };
}

/** The model a dev worker runs: a script file, a real model from LOOM_LLM_*, else the sample lending script. */
interface DevModel {
  scriptPath: string | undefined;
  /** Undefined: the worker builds its provider from LOOM_LLM_* (a real model). */
  provider: ScriptedProvider | undefined;
  description: string;
}

function devModel(scriptPath: string | undefined, env: NodeJS.ProcessEnv): DevModel {
  const real = !scriptPath && Boolean(env.LOOM_LLM_BASE_URL && env.LOOM_LLM_API_KEY);
  const provider = scriptPath
    ? new ScriptedProvider(loadScriptFile(scriptPath))
    : real
      ? undefined
      : new ScriptedProvider(LENDING_SCRIPT);
  const description = scriptPath
    ? `scripted (${scriptPath})`
    : real
      ? String(env.LOOM_LLM_BASE_URL)
      : 'scripted (the sample lending script)';
  return { scriptPath, provider, description };
}

/** The worker service on `port`, signed in to the emulator as the seed's integration user. */
function startDevWorker(
  run: {
    emulator: EmulatorHandle;
    dev: DevSeed;
    model: DevModel;
    token: string;
    env: NodeJS.ProcessEnv;
    logger: Logger;
  },
  port: number,
): Promise<Service> {
  const { emulator, dev, model, env } = run;
  const { provider, scriptPath } = model;
  return startService({
    env: {
      ...env,
      SF_LOGIN_URL: emulator.url,
      SF_CLIENT_ID: dev.app.consumerKey,
      SF_PRIVATE_KEY_FILE: dev.key.file,
      SF_PRIVATE_KEY: undefined,
      SF_INTEGRATION_USERNAME: dev.workerUsername,
      LOOM_HTTP_TOKEN: run.token,
      // Loopback only: the printed curl needs no signature unless you set LOOM_HTTP_SIGNING_KEY yourself.
      LOOM_HTTP_ALLOW_UNSIGNED: env.LOOM_HTTP_ALLOW_UNSIGNED ?? 'true',
      // The emulator's Pub/Sub API, used when LOOM_EVENT_API=pubsub.
      LOOM_PUBSUB_URL: emulator.pubsubUrl,
      // The scripted model stands in for the provider: the worker must not ask for LOOM_LLM_* it will not use.
      ...(provider ? { LOOM_LLM_ADAPTER: 'scripted', LOOM_LLM_SCRIPT: scriptPath ?? 'built-in' } : {}),
    },
    logger: run.logger,
    ...(provider ? { provider } : {}),
    http: { host: '127.0.0.1', port },
  });
}

/** The agent the printed examples ask: the seed's first, else the sample agent (created now) on the lending seed. */
async function devAgent(
  seed: Seed,
  sampleAgent: boolean,
  emulator: EmulatorHandle,
  service: Service,
): Promise<string | undefined> {
  const agent = firstAgent(seed);
  if (agent || !sampleAgent || !emulator.org.schema.object('Loan_Application__c')) return agent;
  const admin = emulator.org.users().find((user) => user.permissionSets.includes('Loom_Admin'));
  if (!admin) return agent;
  await provisionLendingAgent(service.runtime.clientFor(admin.username));
  return LENDING_AGENT;
}

/** The first active Loom_User holder, with a session of their own for the printed examples. */
async function devRequester(emulator: EmulatorHandle, service: Service): Promise<DevInfo['requester']> {
  const requesterUser = emulator.org.users().find((user) => user.isActive && user.permissionSets.includes('Loom_User'));
  return requesterUser
    ? {
        username: requesterUser.username,
        id: requesterUser.id,
        accessToken: (await service.runtime.pool.session(requesterUser.username)).accessToken,
      }
    : undefined;
}

/** The `/v1/turns/sync` request the Apex sync callout sends, as a curl command. */
export function curlExample(info: DevInfo, message: string): string | undefined {
  if (!info.agent || !info.requester) return undefined;
  const body = {
    agentDeveloperName: info.agent,
    message,
    requestingUserId: info.requester.id,
    organizationId: info.orgId,
  };
  return `curl -s -X POST ${info.workerUrl}/v1/turns/sync -H 'Authorization: Bearer ${info.token}' -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`;
}

/**
 * What `AgentTurnService.startTurn` does in the org, with jsforce as the requesting user: the message (with a new
 * session and execution) and the `AgentTurnRequest__e` event in one composite call. The worker picks the event up.
 */
export function jsforceExample(info: DevInfo, message: string): string | undefined {
  if (!info.agent || !info.requester) return undefined;
  // The package's Flow action "Loom: Start Agent Turn", invoked as the user: what a Flow or an Apex caller does.
  const script = [
    `import jsforce from 'jsforce';`,
    `const conn = new jsforce.Connection({ instanceUrl: '${info.emulatorUrl}', accessToken: process.env.SF_ACCESS_TOKEN, version: '62.0' });`,
    `const [res] = await conn.requestPost('/services/data/v62.0/actions/custom/apex/StartAgentTurnAction', { inputs: [{ agentDeveloperName: '${info.agent}', message: ${JSON.stringify(message)} }] });`,
    `if (!res.isSuccess || !res.outputValues.isSuccess) throw new Error(JSON.stringify(res.errors ?? res.outputValues.errorMessage));`,
    `console.log('turn ' + res.outputValues.turnIdentifier + ': execution ' + res.outputValues.executionId + ', message ' + res.outputValues.messageId);`,
  ];
  return script.join('\n');
}
