/** Case-insensitive, precomputed lookups over every object the org knows. */
import { canonicalId, sequentialPrefix } from './ids.ts';
import type { ChildRelationship, FieldDef, ObjectDef, Schema } from './model.ts';

interface ObjectIndex {
  def: ObjectDef;
  fields: Map<string, FieldDef>;
  parents: Map<string, FieldDef>;
  children: ChildRelationship[];
  childByName: Map<string, ChildRelationship>;
}

export class OrgSchema implements Schema {
  private readonly byName = new Map<string, ObjectIndex>();
  private readonly byPrefix = new Map<string, ObjectDef>();
  private readonly list: ObjectDef[];

  constructor(objects: ObjectDef[]) {
    this.list = [...objects].sort((a, b) => byName(a, b));
    for (const def of this.list) {
      const fields = new Map(def.fields.map((f) => [f.name.toLowerCase(), f]));
      const parents = new Map<string, FieldDef>();
      for (const f of def.fields) if (f.relationshipName) parents.set(f.relationshipName.toLowerCase(), f);
      this.byName.set(def.name.toLowerCase(), { def, fields, parents, children: [], childByName: new Map() });
      this.byPrefix.set(def.keyPrefix, def);
    }
    for (const def of this.list) {
      for (const f of def.fields) {
        if (f.type !== 'reference' || f.system) continue;
        for (const target of f.referenceTo) {
          const parent = this.byName.get(target.toLowerCase());
          if (!parent) continue;
          const rel: ChildRelationship = {
            childSObject: def.name,
            field: f.name,
            relationshipName: f.childRelationshipName ?? null,
            cascadeDelete: f.masterDetail,
          };
          parent.children.push(rel);
          if (rel.relationshipName) parent.childByName.set(rel.relationshipName.toLowerCase(), rel);
        }
      }
    }
  }

  objects(): ObjectDef[] {
    return this.list;
  }

  object(name: string): ObjectDef | undefined {
    return this.byName.get(name.toLowerCase())?.def;
  }

  field(objectName: string, fieldName: string): FieldDef | undefined {
    return this.byName.get(objectName.toLowerCase())?.fields.get(fieldName.toLowerCase());
  }

  parentRelationship(objectName: string, relationshipName: string): FieldDef | undefined {
    return this.byName.get(objectName.toLowerCase())?.parents.get(relationshipName.toLowerCase());
  }

  childRelationship(objectName: string, relationshipName: string): ChildRelationship | undefined {
    return this.byName.get(objectName.toLowerCase())?.childByName.get(relationshipName.toLowerCase());
  }

  childRelationships(objectName: string): ChildRelationship[] {
    return this.byName.get(objectName.toLowerCase())?.children ?? [];
  }

  objectForId(id: string): ObjectDef | undefined {
    const canonical = canonicalId(id);
    return canonical === undefined ? undefined : this.byPrefix.get(canonical.slice(0, 3));
  }

  /** The master-detail field of a ControlledByParent object. */
  masterField(objectName: string): FieldDef | undefined {
    return this.object(objectName)?.fields.find((f) => f.masterDetail);
  }
}

/**
 * Gives org-specific objects their key prefixes, deterministically by sorted API name:
 * custom objects and settings a01, a02, ...; platform events e00, e01, ...; custom metadata types m00, m01, ...
 */
export function assignKeyPrefixes(objects: ObjectDef[]): void {
  const pending = objects.filter((o) => o.keyPrefix === '').sort(byName);
  let custom = 0;
  let events = 0;
  let metadataTypes = 0;
  for (const def of pending) {
    if (def.kind === 'event') def.keyPrefix = sequentialPrefix('e', events++, 0);
    else if (def.name.endsWith('__mdt')) def.keyPrefix = sequentialPrefix('m', metadataTypes++, 0);
    else def.keyPrefix = sequentialPrefix('a', custom++, 1);
  }
}

/** Code-point order, independent of the machine's locale. */
function byName(a: ObjectDef, b: ObjectDef): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
