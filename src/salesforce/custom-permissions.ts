import { z } from 'zod';
import { LoomError } from '../errors.ts';
import type { SalesforceClient } from './rest-client.ts';

/**
 * The package's custom permissions, one per capability the worker checks (force-app customPermissions/). They are
 * granted by Loom_User and Loom_Approver, directly or through a permission set group, or by any permission set an
 * admin builds: the worker never looks at permission set names.
 */
export const LOOM_PERMISSIONS = {
  /** Who may start agent turns (Loom_User). */
  startTurns: 'Loom_StartAgentTurns',
  /** Who may approve or reject pending actions (Loom_Approver); AgentHITLService checks the same one in Apex. */
  decide: 'Loom_DecidePendingActions',
} as const;
export type LoomPermission = (typeof LOOM_PERMISSIONS)[keyof typeof LOOM_PERMISSIONS];

/** The package's Apex REST resource (LoomPermissionsResource): FeatureManagement.checkPermission for the caller. */
export const PERMISSIONS_PATH = '/services/apexrest/loom/v1/permissions';

const Answer = z.object({ userId: z.string().min(15), permissions: z.record(z.string(), z.boolean()) });

/** A definite "no" and why; `held` is true only when the org said so for this user. */
export interface PermissionCheck {
  held: boolean;
  reason?: string;
}

/**
 * Custom permissions evaluated by the org in the user's OWN context: one GET of LoomPermissionsResource with the
 * user's JWT session answers every package permission at once. That works for a least-privilege integration user
 * (PermissionSetAssignment needs View Setup and Configuration since Summer '20: "Special Access Rules" in
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm)
 * and for permission set groups, whose assignments never name the included permission sets.
 * Answers are cached per user for `ttlMs`, so a user costs at most one API call per window, whatever they do.
 * Fails closed: any answer other than a well-formed one about this very user means "not held"; an outage (retryable)
 * is rethrown so the job is retried rather than refused.
 */
export class CustomPermissions {
  private readonly answers = new Map<string, { permissions: Record<string, boolean>; at: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async check(userId: string, client: SalesforceClient, permission: LoomPermission): Promise<PermissionCheck> {
    const key = userId.slice(0, 15);
    const cached = this.answers.get(key);
    let permissions = cached && this.now() - cached.at < this.ttlMs ? cached.permissions : undefined;
    if (!permissions) {
      let raw: unknown;
      try {
        raw = await client.request<unknown>('GET', PERMISSIONS_PATH);
      } catch (error) {
        if (error instanceof LoomError && error.retryable) throw error;
        return {
          held: false,
          reason: `the org did not answer the permission check for this user (${(error as Error).message})`,
        };
      }
      const parsed = Answer.safeParse(raw);
      if (!parsed.success) return { held: false, reason: 'the permission check answered in an unexpected shape' };
      if (parsed.data.userId.slice(0, 15) !== key)
        return { held: false, reason: 'the permission check answered for another user' };
      permissions = parsed.data.permissions;
      this.answers.set(key, { permissions, at: this.now() });
    }
    return permissions[permission] === true
      ? { held: true }
      : { held: false, reason: `the user does not have the ${permission} custom permission` };
  }

  /** Forget a user's cached answer (tests, or after an admin changes their access). */
  forget(userId?: string): void {
    if (userId === undefined) this.answers.clear();
    else this.answers.delete(userId.slice(0, 15));
  }
}
