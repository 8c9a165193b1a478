import { z } from 'zod';
import { ConfigError, LoomError } from '../errors.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';

/**
 * Who approves a capability's actions and how they hear about it: `BackendConfiguration__c.approval`, e.g.
 * `{"approval": {"approverUsername": "approver@lending.test"}}`, `{"approval": {"queue": "Loan_Approvers"}}` or
 * `{"approval": {"role": "Lending_Manager"}}`. Without one, the worker's default approver (LOOM_HITL_DEFAULT_APPROVER)
 * applies; without either, any holder of the Loom_DecidePendingActions custom permission (Loom_Approver) who can read the record may decide.
 */
export const ApprovalRouting = z.strictObject({
  approverUsername: z
    .string()
    .min(3)
    .max(80)
    .regex(/^[^\s'"\\]+@[^\s'"\\]+$/, 'a Salesforce username')
    .optional(),
  queue: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'a queue DeveloperName')
    .optional(),
  role: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'a role DeveloperName')
    .optional(),
  /** The requesting user may approve their own action (off unless an admin says so). */
  allowSelfApproval: z.boolean().default(false),
  /** How approvers are told: Custom Notification and/or a Salesforce approval process submission. */
  notify: z.array(z.enum(['customNotification', 'approvalProcess'])).default(['customNotification']),
  /** Approval process to submit to (its DeveloperName) when `notify` includes approvalProcess. */
  approvalProcess: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/)
    .optional(),
});
export type ApprovalRouting = z.infer<typeof ApprovalRouting>;

export function routingFor(
  backend: Record<string, unknown> | string | null | undefined,
  defaultApprover?: string,
): ApprovalRouting {
  let config: unknown = backend;
  if (typeof backend === 'string' || backend == null) {
    try {
      config = backend ? JSON.parse(backend) : {};
    } catch {
      throw new ConfigError('BackendConfiguration__c is not valid JSON, so approval routing is unknown');
    }
  }
  const raw = (config as { approval?: unknown } | null)?.approval ?? {};
  const parsed = ApprovalRouting.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(`BackendConfiguration__c.approval is invalid: ${z.prettifyError(parsed.error)}`);
  const routing = parsed.data;
  if (!routing.approverUsername && !routing.queue && !routing.role && defaultApprover)
    return { ...routing, approverUsername: defaultApprover };
  return routing;
}

export function describeRouting(routing: ApprovalRouting): string {
  if (routing.approverUsername) return routing.approverUsername;
  if (routing.queue) return `queue ${routing.queue}`;
  if (routing.role) return `role ${routing.role}`;
  return 'any Loom approver';
}

export interface UserFacts {
  id: string;
  username: string;
  name: string;
  active: boolean;
  roleName: string | null;
}

/** Reads users as the integration user (cached per instance: one decision or one turn). */
export class UserDirectory {
  private readonly byId = new Map<string, UserFacts | null>();

  constructor(private readonly integration: SalesforceClient) {}

  async byUsername(username: string): Promise<UserFacts | null> {
    return this.one(`Username = '${username.replace(/'/g, "\\'")}'`);
  }

  async get(id: string): Promise<UserFacts | null> {
    const key = id.slice(0, 15);
    if (!this.byId.has(key)) this.byId.set(key, await this.one(`Id = '${id}'`));
    return this.byId.get(key) ?? null;
  }

  private async one(where: string): Promise<UserFacts | null> {
    const { records } = await this.integration.query<{
      Id: string;
      Username: string;
      Name?: string;
      IsActive: boolean;
      UserRole?: { DeveloperName?: string | null; Name?: string | null } | null;
    }>(`SELECT Id, Username, Name, IsActive, UserRole.DeveloperName, UserRole.Name FROM User WHERE ${where}`);
    const user = records[0];
    if (!user) return null;
    return {
      id: user.Id,
      username: user.Username,
      name: user.Name ?? user.Username,
      active: user.IsActive,
      roleName: user.UserRole?.DeveloperName ?? user.UserRole?.Name ?? null,
    };
  }

  /** Queue membership; an org (or emulator) without Group/GroupMember answers "not a member" (fail closed). */
  async inQueue(userId: string, queue: string): Promise<boolean> {
    try {
      const { records } = await this.integration.query(
        `SELECT Id FROM GroupMember WHERE UserOrGroupId = '${userId}' AND Group.DeveloperName = '${queue}' AND Group.Type = 'Queue'`,
      );
      return records.length > 0;
    } catch (error) {
      if (error instanceof LoomError && error.retryable) throw error;
      return false;
    }
  }
}

export function sameId(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.slice(0, 15) === b.slice(0, 15);
}
