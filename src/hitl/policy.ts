import { z } from 'zod';

/**
 * The ConditionalApproval rule language (`AgentCapability__c.ApprovalPolicy__c`): approval is required when ANY rule
 * matches the tool arguments. A rule names a dotted `path` into the arguments and one test:
 *   { "path": "fields.Amount__c", "op": ">", "value": 50000 }      comparison (numbers; = and != also compare strings/booleans)
 *   { "path": "fields", "hasAnyKey": ["Status__c", "OwnerId"] }     the object at path has one of these keys (case-insensitive)
 *   { "path": "fields.Status__c", "in": ["Approved", "Declined"] }   the value is one of these
 *   { "path": "recordTypeId", "exists": true }                     the path is present (or absent with false)
 *   { "path": "body", "matches": "wire|transfer" }                  case-insensitive regular expression over a string
 * An empty policy requires nothing. A policy that does not parse, or a comparison over a non-numeric value, REQUIRES
 * approval: the policy fails closed.
 */
const Path = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dotted path such as fields.Amount__c');
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const Rule = z.union([
  z.strictObject({
    path: Path,
    op: z.enum(['>', '>=', '<', '<=', '=', '!=']),
    value: Scalar,
    reason: z.string().optional(),
  }),
  z.strictObject({ path: Path, hasAnyKey: z.array(z.string().min(1)).min(1), reason: z.string().optional() }),
  z.strictObject({ path: Path, in: z.array(Scalar).min(1), reason: z.string().optional() }),
  z.strictObject({ path: Path, exists: z.boolean(), reason: z.string().optional() }),
  z.strictObject({
    path: Path,
    matches: z
      .string()
      .min(1)
      .max(500)
      .refine((source) => compiles(source), 'not a valid regular expression'),
    reason: z.string().optional(),
  }),
]);
export type PolicyRule = z.infer<typeof Rule>;

export const ApprovalPolicy = z.strictObject({ requireApprovalWhen: z.array(Rule).max(100).default([]) });
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

export interface PolicyVerdict {
  required: boolean;
  /** Why approval is required (one line per matching rule, or the parse error); empty when it is not. */
  reasons: string[];
}

/** Evaluates the capability's policy text against the real arguments. Never throws: errors require approval. */
export function evaluatePolicy(policyText: string, args: Record<string, unknown>): PolicyVerdict {
  if (!policyText.trim()) return { required: false, reasons: [] };
  let json: unknown;
  try {
    json = JSON.parse(policyText);
  } catch (error) {
    return {
      required: true,
      reasons: [`Approval policy is not valid JSON (${(error as Error).message}); approval is required.`],
    };
  }
  const parsed = ApprovalPolicy.safeParse(json);
  if (!parsed.success)
    return {
      required: true,
      reasons: [`Approval policy is invalid (${z.prettifyError(parsed.error)}); approval is required.`],
    };
  const reasons: string[] = [];
  for (const rule of parsed.data.requireApprovalWhen) {
    const hit = matches(rule, args);
    if (hit) reasons.push(rule.reason ?? hit);
  }
  return { required: reasons.length > 0, reasons };
}

/** A description of why the rule matched, or null. */
function matches(rule: PolicyRule, args: Record<string, unknown>): string | null {
  const found = lookup(args, rule.path);
  if ('exists' in rule)
    return found.present === rule.exists ? `${rule.path} ${rule.exists ? 'is present' : 'is absent'}` : null;
  if (!found.present) return null;
  const value = found.value;
  if ('hasAnyKey' in rule) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const keys = Object.keys(value).map((key) => key.toLowerCase());
    const hit = rule.hasAnyKey.find((key) => keys.includes(key.toLowerCase()));
    return hit ? `${rule.path} sets ${hit}` : null;
  }
  if ('in' in rule)
    return rule.in.some((candidate) => looselyEqual(candidate, value)) ? `${rule.path} is ${String(value)}` : null;
  if ('matches' in rule)
    return typeof value === 'string' && new RegExp(rule.matches, 'i').test(value)
      ? `${rule.path} matches /${rule.matches}/`
      : null;
  return compare(rule, value);
}

function compare(rule: Extract<PolicyRule, { op: string }>, value: unknown): string | null {
  const text = `${rule.path} ${rule.op} ${String(rule.value)} (is ${JSON.stringify(value)})`;
  if (rule.op === '=') return looselyEqual(rule.value, value) ? text : null;
  if (rule.op === '!=') return looselyEqual(rule.value, value) ? null : text;
  const left = toNumber(value);
  const right = toNumber(rule.value);
  // An ordering test over something that is not a number cannot prove approval unnecessary: fail closed.
  if (left === null || right === null)
    return `${rule.path} is not a number (${JSON.stringify(value)}), so ${rule.op} ${String(rule.value)} cannot be ruled out`;
  const hit =
    rule.op === '>' ? left > right : rule.op === '>=' ? left >= right : rule.op === '<' ? left < right : left <= right;
  return hit ? text : null;
}

function lookup(args: Record<string, unknown>, path: string): { present: boolean; value?: unknown } {
  let current: unknown = args;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return { present: false };
    const entries = Object.entries(current as Record<string, unknown>);
    // Salesforce field names are case-insensitive; so is the path.
    const entry =
      entries.find(([key]) => key === part) ?? entries.find(([key]) => key.toLowerCase() === part.toLowerCase());
    if (!entry) return { present: false };
    current = entry[1];
  }
  return { present: current !== undefined, value: current };
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function looselyEqual(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'string' && typeof actual === 'string')
    return expected.toLowerCase() === actual.toLowerCase();
  const a = toNumber(expected);
  const b = toNumber(actual);
  if (a !== null && b !== null) return a === b;
  return expected === actual;
}

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}
