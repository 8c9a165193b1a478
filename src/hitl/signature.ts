import { canonicalJson } from '../schemas/canonical-json.ts';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.ts';

/** What a signature binds: the arguments AND where they may run, so a signed payload cannot be replayed elsewhere. */
export interface SignedAction {
  executionId: string;
  turnId: string;
  toolCallId: string;
  toolName: string;
  args: Record<string, unknown>;
  /**
   * Set for actions whose HITL type must not change behind the worker (Asynchronous: no person decides, so an
   * Approval record re-typed as Asynchronous must fail verification). Typed signatures are `v2`, untyped `v1`.
   */
  hitlType?: string;
  /**
   * Who and what the action was held for: the requesting user, the agent, the capability and its version. A
   * signature that binds them is `v3`; the worker signs and accepts only `v3`, so a requester or agent changed on the
   * execution (or a same-named tool of another agent) can never resume a held call.
   */
  identity?: HeldIdentity;
}

export interface HeldIdentity {
  requesterId: string;
  agentId: string;
  capabilityId: string;
  /** `capabilityVersion(...)`: an edit of the capability after the hold invalidates it. */
  capabilityVersion: string;
}

const UNTYPED = 'v1';
const TYPED = 'v2';
const BOUND = 'v3';

/** JSON with object keys sorted at every depth: the same value always gives the same bytes. */

/**
 * HMAC-SHA256 over (execution, turn, tool call, tool, canonical arguments[, HITL type]) with the worker's key. The stored form is
 * `v1.<original>` or, after an approver edit, `v1.<original>.<reviewed>` (base64url, 90 characters: fits the
 * 128-character `ArgumentsSignature__c`).
 */
export class ArgumentSigner {
  readonly #key: Buffer;

  constructor(key: string) {
    if (key.length < 32) throw new ConfigError('LOOM_HITL_SIGNING_KEY must be at least 32 characters');
    this.#key = Buffer.from(key, 'utf8');
  }

  mac(action: SignedAction): string {
    const fields = [
      versionOf(action),
      action.executionId,
      action.turnId,
      action.toolCallId,
      action.toolName,
      action.args,
    ];
    const { identity } = action;
    const payload = canonicalJson(
      identity
        ? [
            ...fields,
            action.hitlType ?? '',
            id15(identity.requesterId),
            id15(identity.agentId),
            id15(identity.capabilityId),
            identity.capabilityVersion,
          ]
        : action.hitlType === undefined
          ? fields
          : [...fields, action.hitlType],
    );
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }

  /** The field value for freshly held arguments. */
  sign(action: SignedAction): string {
    return `${versionOf(action)}.${this.mac(action)}`;
  }

  /** The field value once an approver's edited arguments are accepted: both versions stay verifiable. */
  signReviewed(stored: string, reviewed: SignedAction): string {
    const [version, original] = stored.split('.');
    return `${version}.${original}.${this.mac(reviewed)}`;
  }

  /** Constant-time check of the original (and, when present, the reviewed) arguments against the stored value. */
  verify(stored: string | null | undefined, original: SignedAction, reviewed?: SignedAction): boolean {
    const parts = (stored ?? '').split('.');
    if (parts[0] !== versionOf(original) || parts.length !== (reviewed ? 3 : 2)) return false;
    const okOriginal = same(parts[1] ?? '', this.mac(original));
    const okReviewed = reviewed ? same(parts[2] ?? '', this.mac(reviewed)) : true;
    return okOriginal && okReviewed;
  }
}

function versionOf(action: SignedAction): string {
  if (action.identity) return BOUND;
  return action.hitlType === undefined ? UNTYPED : TYPED;
}

/** Salesforce IDs compare by their case-sensitive 15-character form (an 18-character ID adds a checksum). */
function id15(id: string): string {
  return id.slice(0, 15);
}

/** The capability fields that decide what a held call does and who must agree; null and '' are the same. */
export interface CapabilityFacts {
  CapabilityName__c?: string | null | undefined;
  Parameters__c?: string | null | undefined;
  ImplementationType__c?: string | null | undefined;
  StandardActionType__c?: string | null | undefined;
  ImplementationDetail__c?: string | null | undefined;
  BackendConfiguration__c?: string | null | undefined;
  HITLMode__c?: string | null | undefined;
  ApprovalPolicy__c?: string | null | undefined;
  AllowApproverEdits__c?: boolean | null | undefined;
  RunAsynchronously__c?: boolean | null | undefined;
}

/** A content version of a capability: a hash of the fields that decide what the tool does and who decides. */
export function capabilityVersion(capability: CapabilityFacts): string {
  const text = (value: string | null | undefined) => value ?? '';
  return createHash('sha256')
    .update(
      canonicalJson([
        text(capability.CapabilityName__c),
        text(capability.Parameters__c),
        capability.ImplementationType__c || 'Standard',
        text(capability.StandardActionType__c),
        text(capability.ImplementationDetail__c),
        text(capability.BackendConfiguration__c),
        text(capability.HITLMode__c),
        text(capability.ApprovalPolicy__c),
        Boolean(capability.AllowApproverEdits__c),
        Boolean(capability.RunAsynchronously__c),
      ]),
    )
    .digest('base64url')
    .slice(0, 22);
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export { canonicalJson };
