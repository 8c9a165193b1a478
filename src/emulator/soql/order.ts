/** ORDER BY: precomputed sort keys, ASC/DESC, NULLS FIRST/LAST (default FIRST for ASC, LAST for DESC). */
import type { FieldDef } from '../org/model.ts';
import type { Env } from './env.ts';
import { comparable, kindOf } from './values.ts';

export type SortValue = string | number | boolean | null;

export interface SortKey<T> {
  value: (row: T, env: Env) => SortValue;
  desc: boolean;
  nullsFirst: boolean;
}

export function sortKey<T>(value: (row: T, env: Env) => SortValue, order?: string, nulls?: string): SortKey<T> {
  const desc = (order ?? 'ASC').toUpperCase() === 'DESC';
  const nullsFirst = nulls ? nulls.toUpperCase() === 'FIRST' : !desc;
  return { value, desc, nullsFirst };
}

/** Stable sort by the keys; each key is computed once per row. */
export function sortRows<T>(rows: T[], keys: ReadonlyArray<SortKey<T>>, env: Env): T[] {
  if (keys.length === 0 || rows.length < 2) return rows;
  const decorated = rows.map((row, index) => ({ row, index, values: keys.map((k) => k.value(row, env)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const x = a.values[i]!;
      const y = b.values[i]!;
      if (x === y) continue;
      if (x === null) return key.nullsFirst ? -1 : 1;
      if (y === null) return key.nullsFirst ? 1 : -1;
      const c = x < y ? -1 : x > y ? 1 : 0;
      if (c !== 0) return key.desc ? -c : c;
    }
    return a.index - b.index;
  });
  return decorated.map((d) => d.row);
}

/** Sort value of a stored value: picklists by their defined value order (as Salesforce sorts them), else normalized. */
export function sortValueFor(field: FieldDef): (raw: unknown) => SortValue {
  const kind = kindOf(field.type);
  if (field.type !== 'picklist') return (raw) => comparable(kind, raw === '' ? null : raw);
  const rank = new Map(field.picklistValues.map((v, i) => [v.value.toLowerCase(), i]));
  const unknown = rank.size;
  return (raw) =>
    raw === null || raw === undefined || raw === '' ? null : (rank.get(String(raw).toLowerCase()) ?? unknown);
}
