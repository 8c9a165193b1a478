/**
 * The SELECT list of a record (non-aggregate) query, compiled into a tree of entries that shapes each row exactly
 * like REST: `attributes`, canonical field names, nested parent objects (null when absent or invisible) and child
 * result sets.
 */
import type { FieldTypeOf, FieldSubquery, Subquery } from '@jetstreamapp/soql-parser-js';
import type { SObjectRecord } from '../org/model.ts';
import type { Env } from './env.ts';
import { locate } from './query-error.ts';
import { fieldReader, polymorphicValue } from './resolve.ts';
import type { FieldRef, ParentStep } from './resolve.ts';
import { fail } from './scope.ts';
import type { Scope } from './scope.ts';
import { formatterFor } from './values.ts';
import { toLabel } from './where.ts';

export type ChildResult = { totalSize: number; done: true; records: Array<Record<string, unknown>> } | null;
export type ChildCompiler = (scope: Scope, subquery: Subquery) => (parent: SObjectRecord, env: Env) => ChildResult;
type ValueGetter = (rec: SObjectRecord, env: Env, objectName: string) => unknown;

type Entry =
  | { k: 'value'; key: string; get: ValueGetter }
  | { k: 'parent'; key: string; step: ParentStep; entries: Entry[] }
  | { k: 'child'; key: string; run: (parent: SObjectRecord, env: Env) => ChildResult }
  | { k: 'typeof'; key: string; step: ParentStep; branches: Map<string, Entry[]>; otherwise: Entry[] | null };

export type Shaper = (rec: SObjectRecord, env: Env) => Record<string, unknown>;

export function attributes(type: string, id: unknown, env: Env): { type: string; url: string } {
  return { type, url: `/services/data/v${env.ctx.apiVersion}/sobjects/${type}/${String(id)}` };
}

function valueGetter(ref: FieldRef, labels?: Map<string, string>): ValueGetter {
  const name = ref.field.name;
  const fmt = formatterFor(ref.field);
  if (labels) return (rec) => toLabel(rec[name], labels);
  if (ref.object === 'Name') {
    // Polymorphic parent: Type is the actual object; every other field obeys that object's schema and FLS.
    return (rec, env, objectName) => fmt(polymorphicValue(name, objectName, rec, env));
  }
  const read = fieldReader(ref.field);
  return (rec, env) => fmt(read(rec, env));
}

export class SelectBuilder {
  private readonly root: Entry[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly scope: Scope) {}

  /** Adds a resolved path; `key` overrides the terminal key (aliases of toLabel). */
  addRef(
    ref: FieldRef,
    at: number,
    options: { labels?: Map<string, string>; key?: string; dedupe?: boolean } = {},
  ): void {
    const id = `${ref.key}${options.labels ? '#label' : ''}`;
    if (this.seen.has(id)) {
      if (options.dedupe) return;
      fail(this.scope, at, 'MALFORMED_QUERY', `duplicate field selected: ${ref.raw}`);
    }
    this.seen.add(id);
    let level = this.root;
    for (const step of ref.steps) {
      let parent = level.find(
        (e): e is Extract<Entry, { k: 'parent' }> => e.k === 'parent' && e.key === step.relationshipName,
      );
      if (!parent && level.some((e) => e.key === step.relationshipName)) {
        fail(this.scope, at, 'MALFORMED_QUERY', `duplicate field selected: ${step.relationshipName}`);
      }
      if (!parent) {
        parent = { k: 'parent', key: step.relationshipName, step, entries: [] };
        level.push(parent);
      }
      level = parent.entries;
    }
    level.push({ k: 'value', key: options.key ?? ref.field.name, get: valueGetter(ref, options.labels) });
  }

  addChild(field: FieldSubquery, compileChild: ChildCompiler): void {
    const rel = field.subquery.relationshipName;
    const key = `#child:${rel.toLowerCase()}`;
    if (this.seen.has(key))
      fail(
        this.scope,
        locate(this.scope.r.soql, rel, this.scope.from),
        'MALFORMED_QUERY',
        `duplicate field selected: ${rel}`,
      );
    this.seen.add(key);
    const canonical = this.scope.r.schema.childRelationship(this.scope.object.name, rel)?.relationshipName ?? rel;
    const run = compileChild(this.scope, field.subquery);
    this.root.push({ k: 'child', key: canonical, run });
  }

  addTypeof(field: FieldTypeOf): void {
    const { r, object } = this.scope;
    const at = locate(r.soql, field.field, this.scope.from);
    const step = r.parentStep(object.name, field.field, field.field, this.scope.from);
    if (this.root.some((e) => e.key === step.relationshipName))
      fail(this.scope, at, 'MALFORMED_QUERY', `duplicate field selected: ${step.relationshipName}`);
    const branches = new Map<string, Entry[]>();
    let otherwise: Entry[] | null = null;
    const allowed = new Set(step.lookup.referenceTo.map((t) => t.toLowerCase()));
    for (const cond of field.conditions) {
      const target = cond.type === 'WHEN' ? r.object(cond.objectType ?? '', at) : null;
      if (target && !allowed.has(target.name.toLowerCase())) {
        fail(
          this.scope,
          locate(r.soql, cond.objectType ?? '', at),
          'INVALID_FIELD',
          `TYPEOF WHEN type '${target.name}' is not a valid type for '${field.field}'`,
        );
      }
      const entries: Entry[] = [];
      for (const name of cond.fieldList) {
        // ELSE fields live on the polymorphic Name entity, resolved through the relationship itself.
        const ref = target ? r.field(target.name, name, at) : r.field(object.name, `${field.field}.${name}`, at);
        entries.push({ k: 'value', key: ref.field.name, get: valueGetter(ref) });
      }
      if (target) branches.set(target.name.toLowerCase(), entries);
      else otherwise = entries;
    }
    this.root.push({ k: 'typeof', key: step.relationshipName, step, branches, otherwise });
  }

  build(): Shaper {
    const entries = this.root;
    const type = this.scope.object.name;
    return (rec, env) => shape(rec, type, entries, env);
  }
}

function shape(rec: SObjectRecord, type: string, entries: readonly Entry[], env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(type, rec.Id, env) };
  for (const e of entries) {
    switch (e.k) {
      case 'value':
        out[e.key] = e.get(rec, env, type);
        break;
      case 'parent': {
        const p = env.parent(rec[e.step.lookup.name], e.step.target);
        const shaped = p ? shape(p.record, p.object.name, e.entries, env) : null;
        // A polymorphic parent (Owner of a queue-ownable object, What, Who) comes back as the Name entity: its
        // attributes say `"type": "Name"` while the url names the actual object (REST API query results).
        if (shaped && e.step.target === null) shaped.attributes = { ...(shaped.attributes as object), type: 'Name' };
        out[e.key] = shaped;
        break;
      }
      case 'child':
        out[e.key] = e.run(rec, env);
        break;
      case 'typeof': {
        const p = env.parent(rec[e.step.lookup.name], e.step.target);
        if (!p) {
          out[e.key] = null;
          break;
        }
        const branch = e.branches.get(p.object.name.toLowerCase()) ?? e.otherwise ?? [];
        out[e.key] = shape(p.record, p.object.name, branch, env);
        break;
      }
    }
  }
  return out;
}
