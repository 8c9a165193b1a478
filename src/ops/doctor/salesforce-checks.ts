import { TokenGrantError } from '../../salesforce/jwt.ts';
import { CustomPermissions, type LoomPermission } from '../../salesforce/custom-permissions.ts';
import type { SalesforceClient } from '../../salesforce/rest-client.ts';
import type { SessionPool, UserSession } from '../../salesforce/session-pool.ts';
import { fail, pass, type DoctorCheck } from './types.ts';

/** Objects and events the package must have installed for the worker to run. */
export const PACKAGE_OBJECTS = [
  'AIAgentDefinition__c',
  'AgentCapability__c',
  'LLMConfiguration__c',
  'AgentExecution__c',
  'ExecutionStep__c',
  'InteractionSession__c',
  'InteractionMessage__c',
  'PendingHITLAction__c',
  'AgentTurnRequest__e',
  'AgentTurnResult__e',
  'AgentHITLDecision__e',
];

export const TURN_CHANNELS = ['/event/AgentTurnRequest__e', '/event/AgentHITLDecision__e'];

/** Turns an OAuth refusal into the admin action that fixes it. */
export function fixForGrant(error: unknown, username: string, role: string): string {
  if (!(error instanceof TokenGrantError)) {
    return `Check SF_LOGIN_URL (https://login.salesforce.com, https://test.salesforce.com or your My Domain) and that the worker can reach it.`;
  }
  const text = `${error.error} ${error.description}`;
  if (/approved this consumer/i.test(text)) {
    return `Pre-authorize ${username}: in the External Client App (or connected app) policies set "Admin approved users are pre-authorized" and add the permission set ${role === 'integration' ? 'Loom_Worker' : 'Loom_User'} (assigned to ${username}).`;
  }
  if (/invalid assertion|signature/i.test(text)) {
    return 'The private key does not match the certificate uploaded to the app: point SF_PRIVATE_KEY_FILE at the key of that certificate, or upload the certificate of this key (see docs/admin-guide.md §3).';
  }
  if (/client identifier|invalid_client|client_id/i.test(text))
    return 'SF_CLIENT_ID is not the consumer key of the app that holds the certificate.';
  if (/audience/i.test(text))
    return 'SF_LOGIN_URL must be the login URL the org expects (login, test or My Domain), without a path.';
  if (/inactive/i.test(text)) return `Activate ${username} or configure another user.`;
  if (/user/i.test(text))
    return `Check the username ${username} (it must exist in this org, exactly as in Setup > Users).`;
  return `Salesforce refused the JWT login (${text}); see docs/admin-guide.md §3.`;
}

export async function checkLogin(
  pool: SessionPool,
  username: string,
  role: 'integration' | 'sample',
): Promise<{ check: DoctorCheck; session?: UserSession }> {
  const name =
    role === 'integration'
      ? `JWT login as the integration user (${username})`
      : `JWT login as a sample user (${username})`;
  try {
    const session = await pool.session(username);
    return { check: pass(name, `session for user ${session.userId} in org ${session.orgId}`), session };
  } catch (error) {
    return { check: fail(name, (error as Error).message, fixForGrant(error, username, role)) };
  }
}

export async function checkObjects(client: SalesforceClient): Promise<DoctorCheck> {
  const name = 'Loom package objects and events';
  try {
    const { sobjects } = await client.request<{ sobjects: Array<{ name: string }> }>('GET', '/sobjects');
    const present = new Set(sobjects.map((object) => object.name));
    const missing = PACKAGE_OBJECTS.filter((object) => !present.has(object));
    if (missing.length === 0)
      return pass(name, `${PACKAGE_OBJECTS.length} of ${PACKAGE_OBJECTS.length} visible to the integration user`);
    return fail(
      name,
      `not visible to the integration user: ${missing.join(', ')}`,
      'Install or deploy the package (npm run sf:deploy or sf package install) and assign Loom_Worker to the integration user: objects without access are hidden from it.',
    );
  } catch (error) {
    return fail(
      name,
      (error as Error).message,
      'Make sure the integration user has API Enabled and the package is installed.',
    );
  }
}

/**
 * The user must hold the custom permission, asked of the org as that user (LoomPermissionsResource), exactly as the
 * worker asks it. Reading PermissionSetAssignment instead would need View Setup, which the least-privilege
 * integration user does not have, and would miss permission set groups.
 */
export async function checkCustomPermission(
  userClient: SalesforceClient,
  username: string,
  permission: LoomPermission,
  grantedBy: string,
): Promise<DoctorCheck> {
  const name = `Custom permission ${permission} for ${username}`;
  const answer = await new CustomPermissions()
    .check(await userClient.userId(), userClient, permission)
    .catch((error: unknown) => ({ held: false, reason: (error as Error).message }));
  if (answer.held) return pass(name, 'granted');
  return fail(
    name,
    answer.reason ?? 'not granted',
    `Assign ${grantedBy} (or a permission set group that contains it): sf org assign permset --name ${grantedBy} --on-behalf-of ${username} (or Setup > Users > ${username} > Permission Set Assignments).`,
  );
}

interface BayeuxReply {
  channel: string;
  successful?: boolean;
  clientId?: string;
  error?: string;
  subscription?: string;
  ext?: { sfdc?: { failureReason?: string } };
}

/** A real CometD handshake and subscribe as the integration user, then a disconnect: nothing is consumed. */
export async function checkSubscription(
  session: UserSession,
  apiVersion: string,
  timeoutMs: number,
): Promise<DoctorCheck> {
  const name = `Event subscription (${TURN_CHANNELS.join(', ')})`;
  const endpoint = `${session.instanceUrl.replace(/\/$/, '')}/cometd/${apiVersion}`;
  const cookies: string[] = [];
  const send = async (message: Record<string, unknown>): Promise<BayeuxReply> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `OAuth ${session.accessToken}`,
        ...(cookies.length ? { Cookie: cookies.join('; ') } : {}),
      },
      body: JSON.stringify([message]),
      signal: AbortSignal.timeout(timeoutMs),
    });
    for (const cookie of response.headers.getSetCookie()) cookies.push(cookie.split(';')[0] ?? '');
    const replies = (await response.json()) as BayeuxReply[];
    const reply = replies.find((item) => item.channel === message.channel);
    if (!reply) throw new Error(`no ${String(message.channel)} reply (HTTP ${response.status})`);
    return reply;
  };
  try {
    const hello = await send({
      channel: '/meta/handshake',
      version: '1.0',
      supportedConnectionTypes: ['long-polling'],
    });
    if (!hello.successful || !hello.clientId) {
      return fail(
        name,
        `handshake refused: ${hello.error ?? ''} ${hello.ext?.sfdc?.failureReason ?? ''}`.trim(),
        'The integration user needs API Enabled and a valid session; see the JWT login check.',
      );
    }
    const refused: string[] = [];
    for (const subscription of TURN_CHANNELS) {
      const reply = await send({
        channel: '/meta/subscribe',
        clientId: hello.clientId,
        subscription,
        ext: { replay: { [subscription]: -1 } },
      });
      if (!reply.successful) refused.push(`${subscription}: ${reply.error ?? 'refused'}`);
    }
    await send({ channel: '/meta/disconnect', clientId: hello.clientId }).catch(() => undefined);
    if (refused.length > 0) {
      return fail(
        name,
        refused.join('; '),
        'Assign Loom_Worker to the integration user: it grants Read on the Loom platform events, which subscribing requires.',
      );
    }
    return pass(name, 'handshake and subscribe allowed');
  } catch (error) {
    return fail(
      name,
      (error as Error).message,
      `The worker must reach ${endpoint} over HTTPS (proxy and firewall rules).`,
    );
  }
}
