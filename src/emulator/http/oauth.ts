import type { IncomingMessage } from 'node:http';
import type { ConnectedAppDef, OrgApi, UserDef } from '../org/model.ts';
import { to18 } from './ids.ts';
import { decodeAssertion, isExpired, OAuthError, verifyRs256 } from './jwt.ts';
import { json, type RouteResult } from './respond.ts';
import type { TokenStore } from './tokens.ts';

export const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const LOGIN_AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

export interface OAuthDeps {
  org: OrgApi;
  tokens: TokenStore;
}

const oauthError = (error: OAuthError): RouteResult => ({
  status: error.status,
  body: { error: error.error, error_description: error.description },
});

export const identityUrl = (origin: string, org: OrgApi, userId: string): string =>
  `${origin}/id/${to18(org.orgId)}/${to18(userId)}`;

/** `Bearer x` or `OAuth x`; undefined when absent, null when present but malformed. */
export function bearerToken(req: IncomingMessage): string | undefined | null {
  const header = req.headers.authorization;
  if (header === undefined || header === '') return undefined;
  const match = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header);
  return match ? (match[1] ?? null) : null;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

function isPreAuthorized(app: ConnectedAppDef, user: UserDef): boolean {
  const lower = (names: string[]): Set<string> => new Set(names.map((n) => n.toLowerCase()));
  const profiles = lower(app.preAuthorizedProfiles);
  const permissionSets = lower(app.preAuthorizedPermissionSets);
  return (
    profiles.has(user.profile.toLowerCase()) || user.permissionSets.some((ps) => permissionSets.has(ps.toLowerCase()))
  );
}

/** Validates a JWT bearer assertion end to end and returns the user it names. */
export function verifyJwtGrant(
  assertion: string,
  deps: OAuthDeps,
  audiences: string[],
): { user: UserDef; app: ConnectedAppDef } {
  const { claims, signingInput, signature } = decodeAssertion(assertion);
  const app = deps.org.connectedApps().find((candidate) => candidate.consumerKey === claims.iss);
  if (!app) throw new OAuthError('invalid_client_id', 'client identifier invalid');
  if (!verifyRs256(signingInput, signature, app.certificatePem))
    throw new OAuthError('invalid_grant', 'invalid assertion');
  const allowed = new Set([...audiences, ...LOGIN_AUDIENCES].map(trimSlash));
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => allowed.has(trimSlash(a)))) throw new OAuthError('invalid_grant', 'audience is invalid');
  // Real time, not the admin-advanced clock: assertions are signed by real clients with real clocks.
  if (isExpired(claims.exp, Date.now())) throw new OAuthError('invalid_grant', 'expired authorization code');
  // Salesforce does not reveal whether a username exists: unknown users read as not approved.
  const user = deps.org.userByUsername(claims.sub);
  if (!user || !isPreAuthorized(app, user)) throw new OAuthError('invalid_grant', "user hasn't approved this consumer");
  if (!user.isActive) throw new OAuthError('invalid_grant', 'inactive user');
  return { user, app };
}

/** POST /services/oauth2/token (JWT bearer only: the flow the worker and @salesforce/core use). */
export function tokenRoute(
  form: Record<string, string>,
  deps: OAuthDeps,
  origin: string,
  audiences: string[],
): RouteResult {
  if (form.grant_type !== JWT_GRANT) {
    return oauthError(new OAuthError('unsupported_grant_type', 'grant type not supported'));
  }
  if (!form.assertion) return oauthError(new OAuthError('invalid_request', 'assertion is required'));
  try {
    const { user, app } = verifyJwtGrant(form.assertion, deps, audiences);
    const { token } = deps.tokens.issue(user.id, app.consumerKey);
    return json(200, {
      access_token: token,
      scope: 'api',
      token_type: 'Bearer',
      instance_url: origin,
      id: identityUrl(origin, deps.org, user.id),
    });
  } catch (error) {
    if (error instanceof OAuthError) return oauthError(error);
    throw error;
  }
}

const BAD_TOKEN: RouteResult = { status: 403, text: 'Bad_OAuth_Token' };

function userOf(token: string | undefined | null, deps: OAuthDeps): UserDef | undefined {
  const resolved = token ? deps.tokens.resolve(token) : undefined;
  return resolved ? deps.org.userById(resolved.userId) : undefined;
}

const displayName = (user: UserDef): string => `${user.firstName} ${user.lastName}`.trim();

/** GET /services/oauth2/userinfo. */
export function userinfoRoute(
  token: string | undefined | null,
  deps: OAuthDeps,
  origin: string,
  apiVersion: string,
): RouteResult {
  const user = userOf(token, deps);
  if (!user) return BAD_TOKEN;
  const id = identityUrl(origin, deps.org, user.id);
  return json(200, {
    sub: id,
    user_id: to18(user.id),
    organization_id: to18(deps.org.orgId),
    preferred_username: user.username,
    nickname: user.username.split('@')[0],
    name: displayName(user),
    email: user.email,
    email_verified: true,
    given_name: user.firstName,
    family_name: user.lastName,
    zoneinfo: user.timeZoneSidKey,
    user_type: 'STANDARD',
    active: user.isActive,
    language: 'en_US',
    locale: 'en_US',
    urls: urls(origin, deps.org, user.id, apiVersion),
  });
}

function urls(origin: string, org: OrgApi, userId: string, apiVersion: string): Record<string, string> {
  const data = `${origin}/services/data/v{version}`;
  return {
    rest: `${data}/`,
    sobjects: `${data}/sobjects/`,
    query: `${data}/query/`,
    search: `${data}/search/`,
    recent: `${data}/recent/`,
    tooling_rest: `${data}/tooling/`,
    profile: `${origin}/${to18(userId)}`,
    users: `${data}/chatter/users`,
    custom_domain: origin,
    identity: identityUrl(origin, org, userId),
    api_version: apiVersion,
  };
}

/** GET /id/{orgId}/{userId}: token in the header or `oauth_token`. */
export function identityRoute(
  token: string | undefined | null,
  orgId: string,
  userId: string,
  deps: OAuthDeps,
  origin: string,
  apiVersion: string,
): RouteResult {
  const caller = userOf(token, deps);
  if (!caller) return BAD_TOKEN;
  const user = deps.org.userById(userId);
  if (to18(orgId).toLowerCase() !== to18(deps.org.orgId).toLowerCase() || !user) {
    return { status: 404, text: 'Not Found' };
  }
  return json(200, {
    id: identityUrl(origin, deps.org, user.id),
    asserted_user: caller.id === user.id,
    user_id: to18(user.id),
    organization_id: to18(deps.org.orgId),
    username: user.username,
    nick_name: user.username.split('@')[0],
    display_name: displayName(user),
    email: user.email,
    email_verified: true,
    first_name: user.firstName,
    last_name: user.lastName,
    timezone: user.timeZoneSidKey,
    photos: {
      picture: `${origin}/img/userprofile/default_profile_200_v2.png`,
      thumbnail: `${origin}/img/userprofile/default_profile_45_v2.png`,
    },
    urls: urls(origin, deps.org, user.id, apiVersion),
    active: user.isActive,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
  });
}

/** POST /services/oauth2/revoke (`token=`): 200 empty on success. */
export function revokeRoute(token: string | undefined, deps: OAuthDeps): RouteResult {
  if (!token || !deps.tokens.revoke(token)) {
    return oauthError(new OAuthError('unsupported_token_type', 'this token type is not supported'));
  }
  return { status: 200 };
}

/** POST /services/oauth2/introspect: needs a known client id; only live tokens are active. */
export function introspectRoute(
  form: Record<string, string>,
  basicAuth: string | undefined,
  deps: OAuthDeps,
  origin: string,
): RouteResult {
  let clientId = form.client_id;
  if (basicAuth) clientId = Buffer.from(basicAuth, 'base64').toString('utf8').split(':')[0];
  if (!clientId || !deps.org.connectedApps().some((app) => app.consumerKey === clientId)) {
    return oauthError(new OAuthError('invalid_client', 'invalid client credentials', 401));
  }
  const record = form.token ? deps.tokens.info(form.token) : undefined;
  const user = record ? deps.org.userById(record.userId) : undefined;
  if (!record || !user) return json(200, { active: false });
  const seconds = (ms: number): number => Math.floor(ms / 1000);
  return json(200, {
    active: true,
    scope: record.scope,
    client_id: record.clientId,
    username: user.username,
    sub: identityUrl(origin, deps.org, user.id),
    token_type: 'access_token',
    exp: seconds(record.lastUsedAt) + deps.tokens.sessionTimeoutSeconds,
    iat: seconds(record.issuedAt),
    nbf: seconds(record.issuedAt),
  });
}
