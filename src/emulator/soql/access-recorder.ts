/**
 * Records every object/field permission decision a compiled plan relied on, so a cached plan can be reused for a
 * user only after replaying those decisions against the user's current access (permission changes invalidate it).
 */
import type { UserAccess } from '../org/model.ts';

export interface AccessCheck {
  object: string;
  /** Undefined for an object-level read check. */
  field: string | undefined;
  result: boolean;
}

export class AccessRecorder {
  private readonly seen = new Map<string, AccessCheck>();

  constructor(private readonly access: UserAccess) {}

  canReadObject(object: string): boolean {
    return this.check(object, undefined);
  }

  canReadField(object: string, field: string): boolean {
    return this.check(object, field);
  }

  checks(): AccessCheck[] {
    return [...this.seen.values()];
  }

  private check(object: string, field: string | undefined): boolean {
    const key = `${object}\u0000${field ?? ''}`.toLowerCase();
    const known = this.seen.get(key);
    if (known) return known.result;
    const result =
      field === undefined ? this.access.canObject(object, 'read') : this.access.canField(object, field, 'read');
    this.seen.set(key, { object, field, result });
    return result;
  }
}

/** True when every recorded decision still holds for `access`. */
export function stillHolds(checks: readonly AccessCheck[], access: UserAccess): boolean {
  for (const c of checks) {
    const now = c.field === undefined ? access.canObject(c.object, 'read') : access.canField(c.object, c.field, 'read');
    if (now !== c.result) return false;
  }
  return true;
}
