import { z } from 'zod';

/**
 * Salesforce describe results as the requesting user sees them (`GET /sobjects/{name}/describe`):
 * fields hidden by FLS and objects the user cannot read are already absent. Only the keys the trust
 * layers read are validated; everything else passes through untouched. Permission flags default to
 * false so a partial describe can never grant more than it states.
 */
export const PicklistEntry = z.looseObject({
  value: z.string(),
  label: z.string().nullable().default(null),
  active: z.boolean().default(true),
  defaultValue: z.boolean().default(false),
});
export type PicklistEntry = z.infer<typeof PicklistEntry>;

export const DescribeField = z.looseObject({
  name: z.string().min(1),
  label: z.string().default(''),
  type: z.string().min(1),
  length: z.number().int().nonnegative().default(0),
  precision: z.number().int().nonnegative().default(0),
  scale: z.number().int().nonnegative().default(0),
  digits: z.number().int().nonnegative().default(0),
  nillable: z.boolean().default(true),
  createable: z.boolean().default(false),
  updateable: z.boolean().default(false),
  defaultedOnCreate: z.boolean().default(false),
  calculated: z.boolean().default(false),
  autoNumber: z.boolean().default(false),
  referenceTo: z.array(z.string()).default([]),
  relationshipName: z.string().nullable().default(null),
  picklistValues: z.array(PicklistEntry).default([]),
  restrictedPicklist: z.boolean().default(false),
});
export type DescribeField = z.infer<typeof DescribeField>;

export const ChildRelationshipDescribe = z.looseObject({
  childSObject: z.string().min(1),
  field: z.string().min(1),
  relationshipName: z.string().nullable().default(null),
});
export type ChildRelationshipDescribe = z.infer<typeof ChildRelationshipDescribe>;

export const DescribeSObject = z.looseObject({
  name: z.string().min(1),
  label: z.string().default(''),
  keyPrefix: z.string().nullable().default(null),
  // Presence in the user's describe already means readable; `queryable: false` (e.g. some setup objects) still refuses.
  queryable: z.boolean().default(true),
  createable: z.boolean().default(false),
  updateable: z.boolean().default(false),
  fields: z.array(DescribeField),
  childRelationships: z.array(ChildRelationshipDescribe).default([]),
});
export type DescribeSObject = z.infer<typeof DescribeSObject>;

export const DescribeArray = z.array(DescribeSObject);

/** A resolved child relationship: only reported when the child object's describe is present. */
export interface ChildRelationshipTarget {
  relationshipName: string;
  childSObject: string;
  /** The lookup field on the child object that points at the parent. */
  field: string;
}

interface ObjectEntry {
  describe: DescribeSObject;
  fields: Map<string, DescribeField>;
  parents: Map<string, DescribeField>;
  children: Map<string, ChildRelationshipDescribe>;
}

const key = (name: string): string => name.toLowerCase();

/**
 * Immutable, case-insensitive lookups over one user's describe results. Safe to cache by identity.
 */
export class DescribeIndex {
  private readonly objects = new Map<string, ObjectEntry>();

  constructor(describes: readonly DescribeSObject[]) {
    for (const describe of describes) {
      const entry: ObjectEntry = { describe, fields: new Map(), parents: new Map(), children: new Map() };
      for (const field of describe.fields) {
        entry.fields.set(key(field.name), field);
        if (field.relationshipName) entry.parents.set(key(field.relationshipName), field);
      }
      for (const child of describe.childRelationships) {
        if (child.relationshipName) entry.children.set(key(child.relationshipName), child);
      }
      this.objects.set(key(describe.name), entry);
    }
  }

  /** Validates raw JSON (an array of describe results); throws a readable error when it does not match. */
  static fromJson(json: unknown): DescribeIndex {
    const parsed = DescribeArray.safeParse(json);
    if (!parsed.success) throw new Error(`invalid describe input: ${z.prettifyError(parsed.error)}`);
    return new DescribeIndex(parsed.data);
  }

  objectNames(): string[] {
    return [...this.objects.values()].map((entry) => entry.describe.name);
  }

  object(name: string): DescribeSObject | undefined {
    return this.objects.get(key(name))?.describe;
  }

  field(objectName: string, fieldName: string): DescribeField | undefined {
    return this.objects.get(key(objectName))?.fields.get(key(fieldName));
  }

  fields(objectName: string): DescribeField[] {
    return this.objects.get(key(objectName))?.describe.fields ?? [];
  }

  /** `Applicant__r` → the `Applicant__c` lookup field (only when that field is visible to the user). */
  parentRelationship(objectName: string, relationshipName: string): DescribeField | undefined {
    return this.objects.get(key(objectName))?.parents.get(key(relationshipName));
  }

  /** `Loan_Applications__r` → child object and its lookup field, when the child object is readable. */
  childRelationship(objectName: string, relationshipName: string): ChildRelationshipTarget | undefined {
    const child = this.objects.get(key(objectName))?.children.get(key(relationshipName));
    if (!child?.relationshipName) return undefined;
    const childObject = this.object(child.childSObject);
    if (!childObject) return undefined;
    return { relationshipName: child.relationshipName, childSObject: childObject.name, field: child.field };
  }

  childRelationships(objectName: string): ChildRelationshipTarget[] {
    const entry = this.objects.get(key(objectName));
    if (!entry) return [];
    const result: ChildRelationshipTarget[] = [];
    for (const name of entry.children.keys()) {
      const target = this.childRelationship(objectName, name);
      if (target) result.push(target);
    }
    return result;
  }

  /** The readable object whose key prefix starts this ID. */
  objectForKeyPrefix(prefix: string): DescribeSObject | undefined {
    for (const entry of this.objects.values()) {
      if (entry.describe.keyPrefix === prefix) return entry.describe;
    }
    return undefined;
  }

  /** Up to `limit` field names of the object closest to `name` (edit distance), for actionable refusals. */
  closeFieldMatches(objectName: string, name: string, filter?: (field: DescribeField) => boolean, limit = 3): string[] {
    const candidates = this.fields(objectName).filter((field) => !filter || filter(field));
    return closeMatches(
      name,
      candidates.map((field) => field.name),
      limit,
    );
  }
}

/** Names ranked by case-insensitive edit distance to `name`; only reasonably close ones are returned. */
export function closeMatches(name: string, candidates: readonly string[], limit = 3): string[] {
  const target = name.toLowerCase();
  const scored = candidates
    .map((candidate) => {
      const lower = candidate.toLowerCase();
      const distance = lower.includes(target) || target.includes(lower) ? 1 : editDistance(target, lower);
      return { candidate, distance };
    })
    .filter((entry) => entry.distance <= Math.max(2, Math.floor(target.length / 3)))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((entry) => entry.candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
