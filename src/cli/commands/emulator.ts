import { InvalidArgumentError, type Command } from 'commander';
import pc from 'picocolors';
import { createLogger } from '../../logger.ts';
import { findDevPrivateKey } from '../../emulator/http/dev-keys.ts';
import { signAssertion } from '../../emulator/http/jwt.ts';
import type { FieldDef, OrgApi } from '../../emulator/org/model.ts';
import { DEFAULT_SEED_PATH, startEmulator, type EmulatorHandle } from '../../emulator/server.ts';

const EVENT_OBJECT = 'AgentTurnRequest__e';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return port;
}

/** Runs the real JWT bearer flow against the emulator itself. */
async function mintToken(handle: EmulatorHandle, consumerKey: string, privateKeyPem: string, username: string): Promise<string> {
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

function sampleValue(field: FieldDef): unknown {
  switch (field.type) {
    case 'boolean':
      return false;
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 1;
    case 'datetime':
      return new Date(0).toISOString();
    case 'date':
      return '2025-01-01';
    case 'picklist':
      return field.picklistValues[0]?.value ?? 'value';
    default: {
      if (field.type === 'reference') return null;
      // Respect the field's length, or the publish example itself fails with STRING_TOO_LONG.
      const text = `sample ${field.name}`;
      return field.length > 0 ? text.slice(0, field.length) : text;
    }
  }
}

/** A request body for the agent-turn event with a sample value for every writable custom field. */
function sampleEvent(org: OrgApi): Record<string, unknown> | undefined {
  const def = org.schema.object(EVENT_OBJECT);
  if (!def) return undefined;
  const fields = def.fields.filter((f) => f.custom && !f.system && !f.calculated && !f.autoNumber);
  return Object.fromEntries(fields.map((f) => [f.name, sampleValue(f)]));
}

async function printBanner(handle: EmulatorHandle, seedPath: string): Promise<void> {
  const { url, org } = handle;
  console.log(`${pc.bold('Loom org emulator')} ${pc.dim(`(${org.orgName}, org ${org.orgId})`)}`);
  console.log(`  instance / login URL  ${pc.cyan(url)}`);
  console.log(`  admin surface         ${url}/__emulator/usage  (loopback only)\n`);
  const app = org.connectedApps()[0];
  const key = app ? findDevPrivateKey(seedPath, app) : undefined;
  if (!app || !key) {
    console.log(pc.yellow('No connected app with a dev key in this seed: mint tokens with your own JWT assertions.'));
    return;
  }
  console.log(`Connected app ${pc.bold(app.name)}  consumer key ${app.consumerKey}  dev key ${key.file}\n`);
  let publisher: { token: string; username: string } | undefined;
  for (const user of org.users()) {
    console.log(`${pc.bold(user.username)}  ${pc.dim(`${user.profile}${user.permissionSets.length ? ` + ${user.permissionSets.join(', ')}` : ''}`)}`);
    console.log(`  sf org login jwt --username ${user.username} --client-id ${app.consumerKey} --jwt-key-file ${key.file} --instance-url ${url}`);
    try {
      const token = await mintToken(handle, app.consumerKey, key.pem, user.username);
      if (org.access(user.id).canObject(EVENT_OBJECT, 'create')) publisher ??= { token, username: user.username };
      console.log(`  access token: ${token}`);
    } catch (error) {
      console.log(pc.dim(`  no token: ${(error as Error).message}`));
    }
  }
  const event = sampleEvent(org);
  if (event && publisher) {
    console.log(`\nPublish a test ${EVENT_OBJECT} as ${publisher.username}:`);
    console.log(
      `  curl -s -X POST ${url}/services/data/v62.0/sobjects/${EVENT_OBJECT} -H 'Authorization: Bearer ${publisher.token}' ` +
        `-H 'Content-Type: application/json' -d '${JSON.stringify(event)}'`,
    );
  }
  console.log(pc.dim('\nCtrl-C stops the emulator.'));
}

/** `loom emulator`: the local org emulator for development, demos and tests. */
export function register(program: Command): void {
  program
    .command('emulator')
    .description(
      'Start the local Salesforce org emulator (OAuth JWT bearer, REST, composite, CometD) from a seed file and print ' +
        'the instance URL, a JWT login and a fresh access token for each seeded user, and a curl command that publishes a test event',
    )
    .option('--seed <file>', 'seed YAML describing users, permissions, objects and records', DEFAULT_SEED_PATH)
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 8443)
    .option('--host <address>', 'interface to bind (keep 127.0.0.1 unless you know why)', '127.0.0.1')
    .option('--log-level <level>', 'emulator log level (fatal, error, warn, info, debug, trace, silent)', 'warn')
    .addHelpText('after', '\nExample:\n  $ loom emulator --port 8443\n  $ curl -s http://127.0.0.1:8443/services/data')
    .action(async (options: { seed: string; port: number; host: string; logLevel: string }) => {
      const logger = createLogger({ level: options.logLevel, name: 'emulator' });
      const handle = await startEmulator({ seedPath: options.seed, host: options.host, port: options.port, logger });
      await printBanner(handle, options.seed);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          handle.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
