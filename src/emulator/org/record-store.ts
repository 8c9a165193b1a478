/**
 * In-memory records: one insertion-ordered Map per object (keyed by 18-char ID) plus a global ID index.
 * Writes can be journaled so a transaction restores the before-images on throw without copying the store.
 */
import { canonicalId } from './ids.ts';
import type { FieldDef, ObjectDef, RecordStore, SObjectRecord } from './model.ts';

interface Entry {
  object: ObjectDef;
  record: SObjectRecord;
}

interface FieldIndex {
  field: FieldDef;
  values: Map<string, Set<string>>;
}

interface Table {
  object: ObjectDef;
  live: Map<string, SObjectRecord>;
  deleted: Map<string, SObjectRecord>;
  liveCache: SObjectRecord[] | null;
  /**
   * Unique and external-id fields, and lookups asked for by `children` (built on first use): normalised value → IDs
   * of live records holding it. Every write keeps every index current.
   */
  indexes: Map<string, FieldIndex>;
}

type Undo = () => void;

export class MemoryRecordStore implements RecordStore {
  private readonly tables = new Map<string, Table>();
  private readonly byId = new Map<string, Entry>();
  private journals: Undo[][] = [];

  private table(object: ObjectDef): Table {
    const key = object.name.toLowerCase();
    let table = this.tables.get(key);
    if (!table) {
      const indexes: Table['indexes'] = new Map();
      for (const field of object.fields) {
        if (field.unique || field.externalId) indexes.set(field.name.toLowerCase(), { field, values: new Map() });
      }
      table = { object, live: new Map(), deleted: new Map(), liveCache: null, indexes };
      this.tables.set(key, table);
    }
    return table;
  }

  private index(table: Table, record: SObjectRecord, add: boolean): void {
    for (const index of table.indexes.values()) indexOne(index, record, add);
  }

  /**
   * Live records of `objectName` whose lookup `lookupField` holds `parentId` (roll-up summaries, in system context).
   * The lookup is indexed on first use and kept current by every write, so each call costs the number of children.
   */
  children(objectName: string, lookupField: string, parentId: string): SObjectRecord[] {
    const table = this.tables.get(objectName.toLowerCase());
    if (!table) return [];
    let index = table.indexes.get(lookupField.toLowerCase());
    if (!index) {
      const field = table.object.fields.find((f) => f.name.toLowerCase() === lookupField.toLowerCase());
      if (!field) throw new Error(`${table.object.name}.${lookupField} does not exist`);
      index = { field, values: new Map() };
      for (const record of table.live.values()) indexOne(index, record, true);
      table.indexes.set(field.name.toLowerCase(), index);
    }
    const ids = index.values.get(indexKey(index.field, canonicalId(parentId) ?? parentId));
    const out: SObjectRecord[] = [];
    if (ids) {
      for (const id of ids) {
        const record = table.live.get(id);
        if (record) out.push(record);
      }
    }
    return out;
  }

  /** Live records whose unique or external-id field equals value (case-insensitive unless caseSensitive). */
  findByIndexedField(object: ObjectDef, fieldName: string, value: unknown): SObjectRecord[] {
    const table = this.table(object);
    const index = table.indexes.get(fieldName.toLowerCase());
    if (!index) throw new Error(`${object.name}.${fieldName} is not indexed`);
    const ids = index.values.get(indexKey(index.field, value));
    return ids ? [...ids].map((id) => table.live.get(id)).filter((r): r is SObjectRecord => r !== undefined) : [];
  }

  /** Records are shared with callers for speed: treat them as read-only. */
  all(objectName: string, options: { includeDeleted?: boolean } = {}): SObjectRecord[] {
    const table = this.tables.get(objectName.toLowerCase());
    if (!table) return [];
    table.liveCache ??= [...table.live.values()];
    return options.includeDeleted ? [...table.liveCache, ...table.deleted.values()] : table.liveCache;
  }

  get(id: string, options: { includeDeleted?: boolean } = {}): Entry | undefined {
    const canonical = id.length === 18 && this.byId.has(id) ? id : canonicalId(id);
    const entry = canonical === undefined ? undefined : this.byId.get(canonical);
    if (!entry) return undefined;
    if (entry.record['IsDeleted'] === true && !options.includeDeleted) return undefined;
    return entry;
  }

  insert(object: ObjectDef, record: SObjectRecord): void {
    const table = this.table(object);
    table.live.set(record.Id, record);
    table.liveCache = null;
    this.index(table, record, true);
    this.byId.set(record.Id, { object, record });
    this.journal(() => {
      table.live.delete(record.Id);
      table.liveCache = null;
      this.index(table, record, false);
      this.byId.delete(record.Id);
    });
  }

  /** Replaces a record with a new object (records are never mutated in place, so snapshots stay valid). */
  replace(object: ObjectDef, next: SObjectRecord): void {
    const table = this.table(object);
    const entry = this.byId.get(next.Id);
    if (!entry) throw new Error(`replace: unknown record ${next.Id}`);
    const previous = entry.record;
    this.put(table, object, next);
    this.journal(() => this.put(table, object, previous));
  }

  private put(table: Table, object: ObjectDef, record: SObjectRecord): void {
    const previous = table.live.get(record.Id);
    const live = record['IsDeleted'] !== true;
    // An index whose value did not change keeps the record where it was, so index order stays creation order.
    for (const index of table.indexes.values()) {
      const same = previous !== undefined && live && previous[index.field.name] === record[index.field.name];
      if (same) continue;
      if (previous) indexOne(index, previous, false);
      if (live) indexOne(index, record, true);
    }
    if (!live) {
      table.live.delete(record.Id);
      table.deleted.set(record.Id, record);
    } else {
      table.deleted.delete(record.Id);
      table.live.set(record.Id, record);
    }
    table.liveCache = null;
    this.byId.set(record.Id, { object, record });
  }

  clear(): void {
    this.tables.clear();
    this.byId.clear();
    this.journals = [];
  }

  private journal(undo: Undo): void {
    const current = this.journals[this.journals.length - 1];
    if (current) current.push(undo);
  }

  /** Runs fn; on throw every write it made is undone (nested calls roll back only their own writes). */
  transaction<T>(fn: () => T): T {
    const undo: Undo[] = [];
    this.journals.push(undo);
    try {
      const result = fn();
      this.journals.pop();
      const outer = this.journals[this.journals.length - 1];
      if (outer) outer.push(...undo);
      return result;
    } catch (error) {
      this.journals.pop();
      for (let i = undo.length - 1; i >= 0; i--) undo[i]?.();
      throw error;
    }
  }
}

function indexOne({ field, values }: FieldIndex, record: SObjectRecord, add: boolean): void {
  const value = record[field.name];
  if (value === null || value === undefined || value === '') return;
  const key = indexKey(field, value);
  let ids = values.get(key);
  if (add) {
    if (!ids) values.set(key, (ids = new Set()));
    ids.add(record.Id);
  } else if (ids) {
    ids.delete(record.Id);
    if (ids.size === 0) values.delete(key);
  }
}

function indexKey(field: FieldDef, value: unknown): string {
  const text = String(value);
  return field.caseSensitive ? text : text.toLowerCase();
}
