/**
 * The package's Apex REST resources, served where a real org serves them: `@RestResource(urlMapping='/x')` answers at
 * `/services/apexrest/x` ("The URL mapping is relative to https://instance.salesforce.com/services/apexrest/",
 * https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_classes_annotation_rest_resource.htm).
 * Each resource here mirrors one class of force-app/ and runs as the calling user, like the Apex (`with sharing`).
 */
import type { OrgApi } from '../org/model.ts';
import { errorResult, json, methodNotAllowed, type RouteResult } from './respond.ts';

interface ApexRestRequest {
  method: string;
  /** Path after `/services/apexrest`, e.g. `/loom/v1/permissions`. */
  path: string;
  query: URLSearchParams;
  org: OrgApi;
  userId: string;
}

interface ApexRestResource {
  /** The Apex class behind the mapping: a caller needs access to it (profile or permission set). */
  apexClass: string;
  get(request: ApexRestRequest): RouteResult;
}

/**
 * LoomPermissionsResource (`/loom/v1/permissions`): `FeatureManagement.checkPermission` ("whether a custom permission is
 * enabled" for the context user, https://developer.salesforce.com/docs/atlas.en-us.apexref.meta/apexref/apex_class_System_FeatureManagement.htm;
 * enabled by the profile, a permission set or a permission set group) for the CALLING user, for the
 * package's own custom permissions only. `?names=A,B` narrows the answer; a name outside the package is refused, so
 * the resource cannot be used to probe an org's other permissions.
 */
const loomPermissions: ApexRestResource = {
  apexClass: 'LoomPermissionsResource',
  get({ query, org, userId }) {
    const known = org.packageCustomPermissions?.() ?? [];
    const byLower = new Map(known.map((name) => [name.toLowerCase(), name]));
    const asked = (query.get('names') ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    const unknown = asked.filter((name) => !byLower.has(name.toLowerCase()));
    if (unknown.length > 0)
      return errorResult(400, 'UNKNOWN_PERMISSION', `Unknown custom permission: ${unknown.join(', ')}`);
    const names = asked.length > 0 ? asked.map((name) => byLower.get(name.toLowerCase()) as string) : known;
    const permissions: Record<string, boolean> = {};
    for (const name of names) permissions[name] = org.hasCustomPermission?.(userId, name) === true;
    return json(200, { userId, permissions });
  },
};

const RESOURCES: Record<string, ApexRestResource> = { '/loom/v1/permissions': loomPermissions };

export function dispatchApexRest(request: ApexRestRequest): RouteResult {
  const resource = RESOURCES[request.path.replace(/\/$/, '')];
  if (!resource) return errorResult(404, 'NOT_FOUND', `Could not find a match for URL ${request.path}`);
  // Apex REST needs the class in the caller's profile or a permission set; without it the org refuses the call.
  if (request.org.canInvokeApexClass?.(request.userId, resource.apexClass) !== true) {
    return errorResult(403, 'FORBIDDEN', `You do not have access to the Apex class named: ${resource.apexClass}`);
  }
  if (request.method !== 'GET') return methodNotAllowed(request.method, ['GET']);
  return resource.get(request);
}
