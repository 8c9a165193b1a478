/** Per-execution runtime state shared by every compiled closure: visibility-checked lookups and memoized work. */
import type { FieldDef, ObjectDef, QueryContext, RollupDef, SObjectRecord } from '../org/model.ts';
import { rollupValue } from '../org/rollups.ts';
import { dateLiteralRange } from './date-literals.ts';
import type { DateRange } from './date-literals.ts';
import { idKey } from './values.ts';

export interface Visible {
  object: ObjectDef;
  record: SObjectRecord;
}

export class Env {
  readonly now: Date;
  readonly includeDeleted: boolean;
  private readonly parents = new Map<string, Visible | null>();
  private readonly ranges = new Map<string, DateRange>();
  private readonly joins = new Map<number, Set<string>>();
  private readonly childIndexes = new Map<string, Map<string, SObjectRecord[]>>();
  private readonly rollups = new Map<string, unknown>();

  constructor(readonly ctx: QueryContext) {
    this.now = ctx.now ?? new Date();
    this.includeDeleted = ctx.includeDeleted ?? false;
  }

  /** A record the user may read, by ID; `object` restricts the expected type (null: any readable type). */
  parent(id: unknown, object: string | null): Visible | null {
    if (typeof id !== 'string' || id === '') return null;
    const key = `${object ?? '*'}\u0000${id}`;
    const cached = this.parents.get(key);
    if (cached !== undefined) return cached;
    let found: Visible | null = null;
    const hit = this.ctx.store.get(id);
    if (hit) {
      const typeOk =
        object === null
          ? this.ctx.access.canObject(hit.object.name, 'read')
          : hit.object.name.toLowerCase() === object.toLowerCase();
      if (typeOk && this.ctx.access.canRecord(hit.object.name, hit.record, 'read'))
        found = { object: hit.object, record: hit.record };
    }
    this.parents.set(key, found);
    return found;
  }

  /** A record by ID for the Id index, honouring queryAll; the caller still applies record access. */
  byId(id: string): Visible | undefined {
    return this.ctx.store.get(id, { includeDeleted: this.includeDeleted });
  }

  all(object: string): SObjectRecord[] {
    return this.ctx.store.all(object, { includeDeleted: this.includeDeleted });
  }

  canRead(object: string, record: SObjectRecord): boolean {
    return this.ctx.access.canRecord(object, record, 'read');
  }

  dateRange(literal: string, n: number | undefined): DateRange {
    const key = `${literal}:${n ?? ''}`;
    let range = this.ranges.get(key);
    if (!range) {
      // Literals are validated at compile time, so this cannot be undefined here.
      range = dateLiteralRange(literal, n, this.now) ?? { start: 0, end: 0 };
      this.ranges.set(key, range);
    }
    return range;
  }

  semiJoin(key: number, compute: () => Set<string>): Set<string> {
    let set = this.joins.get(key);
    if (!set) {
      set = compute();
      this.joins.set(key, set);
    }
    return set;
  }

  /**
   * A roll-up summary's value on `rec`, from its live children whatever the user may see (Salesforce computes
   * roll-ups in system context) and whether or not the query is a queryAll. Memoized per execution.
   */
  rollup(field: FieldDef, rollup: RollupDef, rec: SObjectRecord): unknown {
    const key = `${field.name}\u0000${rec.Id}`;
    if (this.rollups.has(key)) return this.rollups.get(key);
    const value = rollupValue(field, rollup, rec, (child, lookup, parentId) =>
      this.liveChildren(child, lookup, parentId),
    );
    this.rollups.set(key, value);
    return value;
  }

  /** Roll-ups count live children whatever the query: the store's index, else one scan of the live rows. */
  private liveChildren(childObject: string, lookupField: string, parentId: string): readonly SObjectRecord[] {
    const store = this.ctx.store;
    if (store.children) return store.children(childObject, lookupField, parentId);
    return this.grouped('live', () => store.all(childObject), childObject, lookupField).get(idKey(parentId)) ?? [];
  }

  /**
   * The child rows of one parent for a subquery: the store's incremental index when it has one (live rows only), else
   * one scan of the child object per execution. A per-query scan made every turn's context query cost the whole
   * step table, so long soak runs slowed quadratically.
   */
  childrenOf(childObject: string, lookupField: string, parentId: string): readonly SObjectRecord[] {
    const store = this.ctx.store;
    if (!this.includeDeleted && store.children) return store.children(childObject, lookupField, parentId);
    return this.grouped('query', () => this.all(childObject), childObject, lookupField).get(idKey(parentId)) ?? [];
  }

  /** `rows()` grouped by the 18-character key of `lookupField`, built once per execution and row source. */
  private grouped(
    source: string,
    rows: () => readonly SObjectRecord[],
    childObject: string,
    lookupField: string,
  ): Map<string, SObjectRecord[]> {
    const cacheKey = `${source}\u0000${childObject}\u0000${lookupField}`.toLowerCase();
    let index = this.childIndexes.get(cacheKey);
    if (!index) {
      index = new Map();
      for (const rec of rows()) {
        const value = rec[lookupField];
        if (typeof value !== 'string' || value === '') continue;
        const list = index.get(idKey(value));
        if (list) list.push(rec);
        else index.set(idKey(value), [rec]);
      }
      this.childIndexes.set(cacheKey, index);
    }
    return index;
  }
}
