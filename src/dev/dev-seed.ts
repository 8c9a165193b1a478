import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findDevPrivateKey } from '../emulator/http/dev-keys.ts';
import { resolveCertificate, type Seed } from '../emulator/org/seed.ts';

/** The repository's DEV ONLY key pair (scripts/seeds/keys/README.md): what `loom dev` signs with when a seed has none. */
const DEV_KEY_FILE = fileURLToPath(new URL('../../scripts/seeds/keys/loom-worker.key', import.meta.url));
const DEV_CERT_FILE = fileURLToPath(new URL('../../scripts/seeds/keys/loom-worker.crt', import.meta.url));
export const DEV_APP_NAME = 'Loom Dev';
const DEV_CONSUMER_KEY = '3MVG9LoomDevOnlyConsumerKey.loom-dev';
const WORKER_PROFILE = 'Loom Dev Integration';

/** What `loom dev` added to a seed so a worker can run against it, each said out loud at start. */
export interface DevSeed {
  seed: Seed;
  app: { name: string; consumerKey: string };
  key: { pem: string; file: string };
  workerUsername: string;
  added: string[];
}

/**
 * Makes any valid seed runnable by `loom dev`: a connected app whose private key we hold (the seed's own, from
 * `<seed dir>/keys/`, else a `Loom Dev` app on the bundled dev key pair, pre-authorizing the Loom permission sets) and an
 * integration user holding Loom_Worker (added when the seed has none).
 */
export function prepareDevSeed(seed: Seed, seedPath: string, baseDir: string): DevSeed {
  const added: string[] = [];
  const next: Seed = structuredClone(seed);
  let app: DevSeed['app'] | undefined;
  let key: DevSeed['key'] | undefined;
  for (const candidate of next.connectedApps) {
    const found = findDevPrivateKey(seedPath, {
      name: candidate.name,
      consumerKey: candidate.consumerKey,
      certificatePem: resolveCertificate(candidate, baseDir),
      preAuthorizedProfiles: [],
      preAuthorizedPermissionSets: [],
    });
    if (found) {
      app = { name: candidate.name, consumerKey: candidate.consumerKey };
      key = found;
      break;
    }
  }
  if (!app || !key) {
    next.connectedApps.push({
      name: DEV_APP_NAME,
      consumerKey: DEV_CONSUMER_KEY,
      certificate: readFileSync(DEV_CERT_FILE, 'utf8'),
      preAuthorized: { profiles: [], permissionSets: ['Loom_Worker', 'Loom_User', 'Loom_Admin', 'Loom_Approver'] },
    } as Seed['connectedApps'][number]);
    app = { name: DEV_APP_NAME, consumerKey: DEV_CONSUMER_KEY };
    key = { pem: readFileSync(DEV_KEY_FILE, 'utf8'), file: DEV_KEY_FILE };
    added.push(
      `connected app "${DEV_APP_NAME}" signed with the bundled dev key ${DEV_KEY_FILE} (no key for the seed's own apps under <seed dir>/keys/)`,
    );
  }
  let worker = next.users.find((user) => user.permissionSets.includes('Loom_Worker'));
  if (!worker) {
    if (!next.profiles.some((profile) => profile.name === WORKER_PROFILE)) {
      next.profiles.push({
        name: WORKER_PROFILE,
        objects: {},
        fields: {},
        userPermissions: ['ApiEnabled'],
      } as unknown as Seed['profiles'][number]);
    }
    const domain = next.users[0]?.username.split('@')[1] ?? 'loom.dev';
    const user = {
      key: 'loom_dev_worker',
      username: `loom-worker@${domain}`,
      firstName: 'Loom',
      lastName: 'Worker',
      profile: WORKER_PROFILE,
      permissionSets: ['Loom_Worker'],
      timeZone: 'UTC',
      active: true,
    };
    next.users.push(user as unknown as Seed['users'][number]);
    worker = next.users[next.users.length - 1]!;
    added.push(`integration user ${user.username} with Loom_Worker (the seed has no user holding it)`);
  }
  return { seed: next, app, key, workerUsername: worker.username, added };
}
